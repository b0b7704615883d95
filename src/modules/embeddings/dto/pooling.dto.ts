import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMinSize, IsArray, IsBoolean, IsDefined, IsIn, IsInt, IsOptional, IsString, Min, registerDecorator, ValidateIf, ValidateNested, ValidationOptions } from 'class-validator';
import { ChatMessageDto } from '../../http/dto/chat-message.dto';
import { IsPrompt } from '../../http/dto/validators';
import { MaxItems } from '../../http/validation';

const INPUT_SCHEMA = {
  description: 'Text, texts, token ids or arrays of token ids',
  oneOf: [
    { type: 'string' },
    { type: 'array', items: { type: 'string' } },
    { type: 'array', items: { type: 'integer' } },
    { type: 'array', items: { type: 'array', items: { type: 'integer' } } },
  ],
};

/** The fields every pooling request shares (vLLM's PoolingBasicRequestMixin). */
export class PoolingBaseDto {
  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Served model name; defaults to the first served name' })
  @IsOptional() @IsString()
  model?: string | null;

  @ApiPropertyOptional({ type: 'string', nullable: true }) @IsOptional() @IsString()
  user?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true, minimum: -1, description: 'Keep only the last k prompt tokens; -1 = the context window' })
  @IsOptional() @IsInt() @Min(-1)
  truncate_prompt_tokens?: number | null;

  @ApiPropertyOptional({ type: 'string' }) @IsOptional() @IsString()
  request_id?: string;

  @ApiPropertyOptional({ type: 'integer', default: 0 }) @IsOptional() @IsInt()
  priority?: number;
}

/**
 * A pooling request's prompts: `input` (completion style) or `messages` (chat style, rendered with
 * the chat template), as vLLM's EmbeddingCompletionRequest and EmbeddingChatRequest.
 */
export class PoolingInputDto extends PoolingBaseDto {
  @ApiPropertyOptional(INPUT_SCHEMA)
  @ValidateIf((o: PoolingInputDto) => o.messages === undefined)
  @IsDefined({ message: 'input: Field required' }) @IsPrompt()
  input?: string | string[] | number[] | number[][];

  @ApiPropertyOptional({ type: [ChatMessageDto], description: 'Instead of input: a conversation, rendered with the chat template' })
  @IsOptional() @IsArray() @ArrayMinSize(1) @MaxItems('max_messages') @ValidateNested({ each: true }) @Type(() => ChatMessageDto)
  messages?: ChatMessageDto[];

  @ApiPropertyOptional({ type: 'boolean', description: 'Add special tokens (BOS) to the prompt; default true for input, false for messages' })
  @IsOptional() @IsBoolean()
  add_special_tokens?: boolean;
}

/** POST /v1/embeddings (vLLM's EmbeddingRequest). */
export class EmbeddingRequestDto extends PoolingInputDto {
  @ApiPropertyOptional({ type: 'string', enum: ['float', 'base64'], default: 'float' })
  @IsOptional() @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';

  @ApiPropertyOptional({ type: 'integer', nullable: true, description: 'Matryoshka models only: cut the vectors to this size' })
  @IsOptional() @IsInt()
  dimensions?: number | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, description: 'Unit-normalise the vectors (default true)' })
  @IsOptional() @IsBoolean()
  normalize?: boolean | null;

  @ApiPropertyOptional({ type: 'string', enum: ['float32'], default: 'float32', description: 'Element type of base64 vectors' })
  @IsOptional() @IsIn(['float32'])
  embed_dtype?: 'float32';

  @ApiPropertyOptional({ type: 'string', enum: ['native', 'little'], default: 'native' })
  @IsOptional() @IsIn(['native', 'little'])
  endianness?: 'native' | 'little';
}

/** POST /classify (vLLM's ClassificationRequest). */
export class ClassifyRequestDto extends PoolingInputDto {
  @ApiPropertyOptional({ type: 'boolean', nullable: true, description: 'Apply the activation (softmax) to the logits (default true)' })
  @IsOptional() @IsBoolean()
  use_activation?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, deprecated: true }) @IsOptional() @IsBoolean()
  softmax?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true, deprecated: true }) @IsOptional() @IsBoolean()
  activation?: boolean | null;
}

/** POST /pooling (vLLM's PoolingRequest): the model's raw pooled output. */
export class PoolingRequestDto extends PoolingInputDto {
  @ApiPropertyOptional({ type: 'string', enum: ['embed', 'classify', 'score'], description: "default: the model's task" })
  @IsOptional() @IsIn(['embed', 'classify', 'score'])
  task?: 'embed' | 'classify' | 'score';

  @ApiPropertyOptional({ type: 'string', enum: ['float', 'base64'], default: 'float' })
  @IsOptional() @IsIn(['float', 'base64'])
  encoding_format?: 'float' | 'base64';

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  dimensions?: number | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  normalize?: boolean | null;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  use_activation?: boolean | null;
}

const TEXTS = { oneOf: [{ type: 'string' as const }, { type: 'array' as const, items: { type: 'string' as const } }] };

/**
 * POST /score and /v1/score (vLLM's ScoreRequest): pairs of texts, 1:1, 1:N or N:N, named
 * `text_1`/`text_2`, `queries`/`documents`, `queries`/`items` or `data_1`/`data_2`.
 */
export class ScoreRequestDto extends PoolingBaseDto {
  @ApiPropertyOptional({ ...TEXTS, example: 'What is the capital of France?' }) @IsOptional() @IsStringOrStrings()
  text_1?: string | string[];

  @ApiPropertyOptional({ ...TEXTS, example: ['Paris is the capital of France.', 'The cell is the unit of life.'] }) @IsOptional() @IsStringOrStrings()
  text_2?: string | string[];

  @ApiPropertyOptional(TEXTS) @IsOptional() @IsStringOrStrings()
  queries?: string | string[];

  @ApiPropertyOptional(TEXTS) @IsOptional() @IsStringOrStrings()
  documents?: string | string[];

  @ApiPropertyOptional(TEXTS) @IsOptional() @IsStringOrStrings()
  items?: string | string[];

  @ApiPropertyOptional(TEXTS) @IsOptional() @IsStringOrStrings()
  data_1?: string | string[];

  @ApiPropertyOptional(TEXTS) @IsOptional() @IsStringOrStrings()
  data_2?: string | string[];

  @ApiPropertyOptional({ type: 'boolean', nullable: true, description: 'Apply the activation (sigmoid) to the logits (default true)' })
  @IsOptional() @IsBoolean()
  use_activation?: boolean | null;
}

/** A rerank document: a text, or `{"text": ...}`. */
const DOCUMENTS = {
  type: 'array' as const,
  items: { oneOf: [{ type: 'string' }, { type: 'object', properties: { text: { type: 'string' } }, required: ['text'] }] },
};

/** POST /rerank, /v1/rerank (Jina), /v2/rerank (Cohere): vLLM's RerankRequest. */
export class RerankRequestDto extends PoolingBaseDto {
  @ApiProperty({ type: 'string', example: 'What is the capital of France?' })
  @IsDefined({ message: 'query: Field required' }) @IsString()
  query!: string;

  @ApiProperty({ ...DOCUMENTS, example: ['Paris is the capital of France.', 'The cell is the unit of life.'] })
  @IsDefined({ message: 'documents: Field required' }) @IsDocuments()
  documents!: Array<string | { text: string }>;

  @ApiPropertyOptional({ type: 'integer', default: 0, description: 'Results to return, best first; 0 = all' })
  @IsOptional() @IsInt() @Min(0)
  top_n?: number;

  @ApiPropertyOptional({ type: 'boolean', nullable: true }) @IsOptional() @IsBoolean()
  use_activation?: boolean | null;
}

/** POST /v2/embed (Cohere's embed API, as vLLM translates it). */
export class CohereEmbedRequestDto {
  @ApiProperty({ type: 'string' }) @IsDefined({ message: 'model: Field required' }) @IsString()
  model!: string;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string' }, example: ['hello world'] })
  @IsOptional() @IsArray() @IsString({ each: true })
  texts?: string[];

  @ApiPropertyOptional({ type: 'string', nullable: true, description: 'Refused: the simulated models define no input_type prefixes (vLLM refuses it for such models)' })
  @IsOptional() @IsString()
  input_type?: string | null;

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt()
  output_dimension?: number | null;

  @ApiPropertyOptional({ type: 'array', items: { type: 'string', enum: ['float', 'binary', 'ubinary', 'base64'] } })
  @IsOptional() @IsArray() @IsIn(['float', 'binary', 'ubinary', 'base64'], { each: true })
  embedding_types?: Array<'float' | 'binary' | 'ubinary' | 'base64'>;

  @ApiPropertyOptional({ type: 'string', enum: ['NONE', 'START', 'END'], default: 'END' })
  @IsOptional() @IsIn(['NONE', 'START', 'END'])
  truncate?: 'NONE' | 'START' | 'END';

  @ApiPropertyOptional({ type: 'integer', nullable: true }) @IsOptional() @IsInt() @Min(1)
  max_tokens?: number | null;

  @ApiPropertyOptional({ type: 'integer', default: 0 }) @IsOptional() @IsInt()
  priority?: number;
}


function IsStringOrStrings(options?: ValidationOptions) {
  return (target: object, propertyName: string): void =>
    registerDecorator({
      name: 'isStringOrStrings',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be a string or an array of strings', ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')) },
    });
}

function IsDocuments(options?: ValidationOptions) {
  const ok = (d: unknown) => typeof d === 'string' || (typeof d === 'object' && d !== null && typeof (d as { text?: unknown }).text === 'string');
  return (target: object, propertyName: string): void =>
    registerDecorator({
      name: 'isDocuments',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be an array of strings or {"text": ...} objects', ...options },
      validator: { validate: (v: unknown) => Array.isArray(v) && v.every(ok) },
    });
}
