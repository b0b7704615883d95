import { anyObject, arr, int, literal, obj, Schema, str } from '../api/openapi';

const BLOCK: Schema = {
  oneOf: [
    obj({ type: literal('text'), text: str() }),
    obj({ type: literal('thinking'), thinking: str(), signature: str() }),
    obj({ type: literal('tool_use'), id: str(), name: str(), input: anyObject() }),
  ],
};

/** vLLM's AnthropicMessagesResponse, dumped without nulls. */
export const MESSAGE_SCHEMA: Schema = obj(
  {
    id: str(),
    type: literal('message'),
    role: literal('assistant'),
    content: arr(BLOCK),
    model: str(),
    stop_reason: str({ enum: ['end_turn', 'max_tokens', 'stop_sequence', 'tool_use'] }),
    stop_sequence: str(),
    usage: obj({ input_tokens: int(), output_tokens: int() }),
  },
  ['stop_sequence'],
);

export const COUNT_TOKENS_SCHEMA: Schema = obj({ input_tokens: int() });

/** `__SERVED_MODEL__` is replaced by the served model's name when the document is built. */
export const MESSAGES_EXAMPLES = {
  hello: { model: '__SERVED_MODEL__', max_tokens: 256, messages: [{ role: 'user', content: 'Hello, how are you?' }] },
  tools: {
    model: '__SERVED_MODEL__',
    max_tokens: 256,
    tools: [{ name: 'get_weather', description: 'Get the weather for a city', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } }],
    messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  },
};
export const COUNT_TOKENS_EXAMPLES = { hello: { model: '__SERVED_MODEL__', messages: [{ role: 'user', content: 'Hello, how are you?' }] } };
