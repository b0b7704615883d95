import { Controller, Get } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { randomHex } from '../api/ids';
import { ServedModel } from './served-model';
import { UtilityRoute } from '../api/route-kind';

@ApiTags('OpenAI')
@Controller('v1/models')
export class ModelsController {
  constructor(private readonly served: ServedModel) {}

  @UtilityRoute()

  @Get()
  @ApiOperation({ summary: 'List the served model (vLLM shape)' })
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
      data: [
        ...this.served.names.map((id) => card(id, this.served.created, this.served.root, null, this.served.maxModelLen)),
        // vLLM's LoRA cards: root is the adapter's path, parent its base model, no max_model_len of their own.
        ...(this.served.adapters?.list() ?? []).map((a) => card(a.name, a.created, a.path, a.base, null)),
      ],
    };
  }
}
