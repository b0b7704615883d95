import { anyObject, arr, bool, int, literal, nullable, num, obj, Schema, str } from '../api/openapi';

const OUTPUT_ITEM: Schema = {
  oneOf: [
    obj({ id: str(), type: literal('message'), role: literal('assistant'), status: str(), content: arr(obj({ type: literal('output_text'), text: str(), annotations: arr(anyObject()), logprobs: nullable(arr(anyObject())) }, ['logprobs'])) }),
    obj({ id: str(), type: literal('function_call'), call_id: str(), name: str(), arguments: str(), status: str() }),
    obj({ id: str(), type: literal('reasoning'), summary: arr(anyObject()), content: arr(obj({ type: literal('reasoning_text'), text: str() })), encrypted_content: nullable(str()), status: nullable(str()) }, ['encrypted_content']),
  ],
};

/** vLLM's ResponsesResponse. */
export const RESPONSE_SCHEMA: Schema = obj(
  {
    id: str({ example: 'resp_0f3c5e1d2b7a4f6e9d8c7b6a5f4e3d2c' }),
    object: literal('response'),
    created_at: int(),
    status: str({ enum: ['completed', 'incomplete', 'in_progress', 'cancelled', 'failed', 'queued'] }),
    incomplete_details: nullable(obj({ reason: str() })),
    instructions: nullable(str()),
    metadata: nullable(anyObject()),
    model: str(),
    output: arr(OUTPUT_ITEM),
    parallel_tool_calls: bool(),
    temperature: num(),
    tool_choice: { oneOf: [str(), anyObject()] },
    tools: arr(anyObject()),
    top_p: num(),
    background: bool(),
    max_output_tokens: int(),
    max_tool_calls: nullable(int()),
    previous_response_id: nullable(str()),
    prompt: nullable(anyObject()),
    reasoning: nullable(anyObject()),
    service_tier: str(),
    text: nullable(anyObject()),
    top_logprobs: nullable(int()),
    truncation: str(),
    usage: nullable(
      obj({
        input_tokens: int(),
        input_tokens_details: obj({ cached_tokens: int() }),
        output_tokens: int(),
        output_tokens_details: obj({ reasoning_tokens: int() }),
        total_tokens: int(),
      }),
    ),
    user: nullable(str()),
  },
  ['max_tool_calls', 'prompt', 'top_logprobs'],
);

export const RESPONSES_EXAMPLES = {
  text: { input: 'Tell me a joke.', max_output_tokens: 64 },
  items: { instructions: 'Answer briefly.', input: [{ role: 'user', content: [{ type: 'input_text', text: 'What is 2+2?' }] }] },
  tools: {
    input: 'What is the weather in Paris?',
    tools: [{ type: 'function', name: 'get_weather', description: 'Get the weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
  },
};
