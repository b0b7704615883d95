import 'reflect-metadata';
import { validateSync } from 'class-validator';
import { Random } from '../../common/random';
import { ChatCompletionRequestDto } from '../chat/dto/chat-request.dto';
import { CompletionRequestDto } from '../completions/dto/completion-request.dto';
import { fastCheck } from './compiled-validation';
import { toDto } from './validation';

const OPTIONS = { forbidUnknownValues: false, validationError: { target: false, value: false } } as const;

/** Values of every JSON kind, including the wrong ones for each field. */
function anyValue(rng: Random, depth = 0): unknown {
  const kinds = depth > 2 ? 7 : 10;
  switch (rng.int(kinds)) {
    case 0:
      return null;
    case 1:
      return rng.int(2) === 0;
    case 2:
      return rng.int(5) - 1;
    case 3:
      return rng.next() * 3 - 1;
    case 4:
      return ['', 'user', 'text', 'function', 'auto', 'json_schema'][rng.int(6)];
    case 5:
      return undefined;
    case 6:
      return 2 ** 40;
    case 7:
      return Array.from({ length: rng.int(3) }, () => anyValue(rng, depth + 1));
    case 8:
      return [1, 2, 3];
    default: {
      const keys = ['role', 'content', 'type', 'text', 'function', 'name', 'parameters', 'include_usage', 'json_schema', 'schema'];
      const out: Record<string, unknown> = {};
      for (let i = rng.int(4); i > 0; i--) out[keys[rng.int(keys.length)]] = anyValue(rng, depth + 1);
      return out;
    }
  }
}

const CHAT_FIELDS = ['model', 'messages', 'max_tokens', 'max_completion_tokens', 'n', 'stream', 'stream_options', 'stop', 'stop_token_ids', 'seed', 'tools', 'tool_choice', 'logprobs', 'top_logprobs', 'response_format', 'min_tokens', 'prompt_logprobs', 'temperature', 'extra'];
const COMPLETION_FIELDS = ['model', 'prompt', 'max_tokens', 'echo', 'logprobs', 'suffix', 'stream', 'stream_options', 'stop', 'min_tokens', 'n'];

function body(rng: Random, fields: string[], base: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (let i = rng.int(4); i > 0; i--) out[fields[rng.int(fields.length)]] = anyValue(rng);
  return out;
}

describe('fastCheck', () => {
  it('passes the bodies clients send every day', () => {
    const chat = toDto(ChatCompletionRequestDto, {
      model: 'm',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: [{ type: 'text', text: 'hi' }] }],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
      stop: ['\n'],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
      response_format: { type: 'json_object' },
      extra_field: { anything: 1 },
    });
    expect(validateSync(chat, OPTIONS)).toEqual([]);
    expect(fastCheck(chat)).toBe(true);
    const completion = toDto(CompletionRequestDto, { prompt: [1, 2, 3], max_tokens: 4, logprobs: 2, echo: true });
    expect(fastCheck(completion)).toBe(true);
  });

  it('never passes a body class-validator refuses (random bodies of every shape)', () => {
    const rng = new Random(19);
    let passed = 0;
    let refused = 0;
    for (let i = 0; i < 4000; i++) {
      const chat = i % 2 === 0;
      const plain = chat
        ? body(rng, CHAT_FIELDS, { messages: rng.int(3) === 0 ? anyValue(rng) : [{ role: 'user', content: rng.int(2) ? 'hi' : anyValue(rng) }] })
        : body(rng, COMPLETION_FIELDS, { prompt: rng.int(3) === 0 ? anyValue(rng) : 'Hello' });
      const dto = chat ? toDto(ChatCompletionRequestDto, plain) : toDto(CompletionRequestDto, plain);
      const errors = validateSync(dto, OPTIONS);
      if (fastCheck(dto)) {
        passed++;
        expect({ plain, errors }).toEqual({ plain, errors: [] });
      } else if (errors.length > 0) {
        refused++;
      }
    }
    // Both verdicts were exercised, so the comparison above means something.
    expect(passed).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(200);
  });
});
