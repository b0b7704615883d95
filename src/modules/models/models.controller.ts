import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomHex } from '../api/ids';
import { ServedModels } from './served-models';
import { UtilityRoute } from '../api/route-kind';
import { anyObject, arr, int, literal, nullable, obj, str } from '../api/openapi';

/** vLLM's ModelList. */
const MODEL_LIST_SCHEMA = obj({
  object: literal('list'),
  data: arr(
    obj({
      id: str(),
      object: literal('model'),
      created: int(),
      owned_by: str(),
      root: nullable(str()),
      parent: nullable(str()),
      max_model_len: nullable(int()),
      permission: arr(anyObject()),
    }),
  ),
});

@ApiTags('OpenAI')
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly models: ServedModels) {}

  @UtilityRoute()

  @Get()
  @ApiOperation({ summary: 'List the served models (vLLM shape)' })
  @ApiOkResponse({ schema: MODEL_LIST_SCHEMA })
  list(): object {
    const card = (id: string, created: number, root: string, parent: string | null, maxModelLen: number | null) => ({
      id,
      object: 'model',
      created,
      owned_by: 'vllm',
      root,
      parent,
      max_model_len: maxModelLen,
      permission: [
        {
          id: `modelperm-${randomHex()}`,
          object: 'model_permission',
          created,
          allow_create_engine: false,
          allow_sampling: true,
          allow_logprobs: true,
          allow_search_indices: false,
          allow_view: true,
          allow_fine_tuning: false,
          organization: '*',
          group: null,
          is_blocking: false,
        },
      ],
    });
    return {
      object: 'list',
      data: this.models.entries.flatMap(({ served }) => [
        ...served.names.map((id) => card(id, served.created, served.root, null, served.maxModelLen)),
        // vLLM's LoRA cards: root is the adapter's path, parent its base model, no max_model_len of their own.
        ...(served.adapters?.list() ?? []).map((a) => card(a.name, a.created, a.path, a.base, null)),
      ]),
    };
  }
}
