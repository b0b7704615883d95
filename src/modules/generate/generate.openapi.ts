import { anyObject, arr, int, nullable, obj, Schema, str } from '../api/openapi';

/** vLLM's generate body (tokens in, tokens out). */
export const GENERATE_SCHEMA: Schema = obj(
  {
    request_id: str(),
    choices: arr(
      obj({
        index: int(),
        logprobs: nullable(anyObject()),
        finish_reason: nullable(str({ enum: ['stop', 'length', 'abort', 'error'] })),
        token_ids: arr(int()),
      }),
    ),
    prompt_logprobs: nullable(arr(anyObject())),
    kv_transfer_params: nullable(anyObject()),
  },
  ['prompt_logprobs', 'kv_transfer_params'],
);

export const GENERATE_EXAMPLES = {
  tokens: { token_ids: [1, 1014, 1032, 1042], sampling_params: { max_tokens: 8 } },
};
