import { anyObject, arr, int, literal, nullable, obj, Schema, str, USAGE_SCHEMA } from '../api/openapi';

/** vLLM's text_completion body. */
export const COMPLETION_SCHEMA: Schema = obj(
  {
    id: str({ example: 'cmpl-0f3c5e1d2b7a4f6e9d8c7b6a5f4e3d2c' }),
    object: literal('text_completion'),
    created: int(),
    model: str(),
    choices: arr(
      obj(
        {
          index: int(),
          text: str(),
          logprobs: nullable(anyObject()),
          finish_reason: nullable(str({ enum: ['stop', 'length', 'abort', 'error'] })),
          stop_reason: { nullable: true, oneOf: [str(), int()] },
          token_ids: nullable(arr(int())),
          prompt_logprobs: nullable(arr(anyObject())),
          prompt_token_ids: nullable(arr(int())),
        },
        ['stop_reason', 'token_ids', 'prompt_logprobs', 'prompt_token_ids'],
      ),
    ),
    service_tier: nullable(str()),
    system_fingerprint: nullable(str()),
    usage: USAGE_SCHEMA,
    kv_transfer_params: nullable(anyObject()),
  },
  ['service_tier', 'system_fingerprint', 'kv_transfer_params'],
);

export const COMPLETION_EXAMPLES = {
  text: { prompt: 'Once upon a time', max_tokens: 32 },
  tokens: { prompt: [[1, 2, 3, 4]], max_tokens: 8, n: 2 },
};
