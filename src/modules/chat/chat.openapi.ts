import { anyObject, arr, int, literal, nullable, obj, Schema, str, USAGE_SCHEMA } from '../api/openapi';

const TOOL_CALL = obj({ id: str(), type: literal('function'), function: obj({ name: str(), arguments: str() }) });

/** vLLM's chat.completion body. */
export const CHAT_COMPLETION_SCHEMA: Schema = obj(
  {
    id: str({ example: 'chatcmpl-0f3c5e1d2b7a4f6e9d8c7b6a5f4e3d2c' }),
    object: literal('chat.completion'),
    created: int(),
    model: str(),
    choices: arr(
      obj(
        {
          index: int(),
          message: obj(
            {
              role: str(),
              content: nullable(str()),
              refusal: nullable(str()),
              annotations: nullable(arr(anyObject())),
              audio: nullable(anyObject()),
              function_call: nullable(anyObject()),
              tool_calls: arr(TOOL_CALL),
              reasoning: str({ description: 'Reasoning models (--reasoning-parser): the thinking' }),
              reasoning_content: nullable(str({ description: 'Same as reasoning (its older name)' })),
            },
            ['reasoning'],
          ),
          logprobs: nullable(anyObject()),
          finish_reason: nullable(str({ enum: ['stop', 'length', 'tool_calls', 'abort', 'error'] })),
          stop_reason: { nullable: true, oneOf: [str(), int()] },
          token_ids: nullable(arr(int())),
        },
        ['stop_reason', 'token_ids'],
      ),
    ),
    service_tier: nullable(str()),
    system_fingerprint: nullable(str()),
    usage: USAGE_SCHEMA,
    prompt_logprobs: nullable(arr(anyObject())),
    prompt_token_ids: nullable(arr(int())),
    kv_transfer_params: nullable(anyObject()),
  },
  ['service_tier', 'system_fingerprint', 'prompt_logprobs', 'prompt_token_ids', 'kv_transfer_params'],
);

export const CHAT_EXAMPLES = {
  hello: { messages: [{ role: 'user', content: 'Hello! What can you do?' }], max_tokens: 64 },
  tools: {
    messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'Get the weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
  },
  json: {
    messages: [{ role: 'user', content: 'Give me a user profile' }],
    response_format: { type: 'json_schema', json_schema: { name: 'user', schema: { type: 'object', properties: { name: { type: 'string' }, age: { type: 'integer' } }, required: ['name', 'age'] } } },
  },
};
