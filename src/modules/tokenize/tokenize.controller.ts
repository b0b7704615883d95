import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { messageText } from '../http/dto/chat-message.dto';
import { ServedModels } from '../models/served-models';
import { ApiError } from '../api/api-error';
import { decodeYielding, encodeChatYielding, encodePromptYielding } from '../tokenizer/tokenizer.types';
import { DetokenizeRequestDto, TokenizeRequestDto } from './dto/tokenize.dto';
import { UtilityRoute } from '../api/route-kind';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { arr, int, nullable, obj, str } from '../api/openapi';

/** vLLM's /tokenize and /detokenize, with the tokenizer that usage and timing use. */
@ApiTags('vLLM')
@Controller()
export class TokenizeController {
  constructor(
    private readonly models: ServedModels,
  ) {}

  @UtilityRoute()

  @Post('tokenize')
  @HttpCode(200)
  @ApiOperation({ summary: 'Token ids of a prompt or a chat conversation' })
  @ApiBody({ type: TokenizeRequestDto, examples: { prompt: { value: { prompt: 'Hello world' } }, chat: { value: { messages: [{ role: 'user', content: 'Hello' }] } } } })
  @ApiOkResponse({ schema: obj({ count: int(), max_model_len: int(), tokens: arr(int()), token_strs: nullable(arr(str())) }) })
  async tokenize(@Body() dto: TokenizeRequestDto): Promise<object> {
    const { served, tokenizer } = this.models.route(dto.model);
    let tokens: number[];
    // @IsOptional lets null through: a null field counts as absent, as in vLLM's pydantic model.
    if (dto.messages != null) {
      tokens = await encodeChatYielding(tokenizer, dto.messages.map((m) => ({ role: m.role, content: messageText(m) })));
    } else if (dto.prompt != null) {
      tokens = dto.add_special_tokens === false ? tokenizer.encode(dto.prompt).ids : await encodePromptYielding(tokenizer, dto.prompt);
    } else {
      throw ApiError.badRequest('Either `prompt` or `messages` is required.', 'prompt');
    }
    return {
      count: tokens.length,
      max_model_len: served.maxModelLen,
      tokens,
      token_strs: dto.return_token_strs ? tokens.map((t) => tokenizer.tokenText(t)) : null,
    };
  }

  @UtilityRoute()

  @Post('detokenize')
  @HttpCode(200)
  @ApiOperation({ summary: 'Text of token ids' })
  @ApiBody({ type: DetokenizeRequestDto, examples: { ids: { value: { tokens: [1, 2, 3] } } } })
  @ApiOkResponse({ schema: obj({ prompt: str() }) })
  async detokenize(@Body() dto: DetokenizeRequestDto): Promise<object> {
    const { served, tokenizer } = this.models.route(dto.model);
    // No context holds more ids than max_model_len: a longer list is refused, not decoded.
    if (dto.tokens.length > served.maxModelLen) {
      throw ApiError.badRequest(
        `This model's maximum context length is ${served.maxModelLen} tokens. However, your request has ${dto.tokens.length} tokens to detokenize.`,
        'tokens',
      );
    }
    return { prompt: await decodeYielding(tokenizer, dto.tokens) };
  }
}
