/**
 * Cost of the JSON-schema sampler on adversarial and ordinary schemas: the time to refuse a schema
 * whose minimum cannot fit, to write a truncated minimum, and to sample typical tool schemas, plus
 * the time to plan the reply's tokens with the default model's tokenizer. Run: npm run bench:schemas
 */
import { Random } from '../src/common/random';
import { sampleJsonText } from '../src/modules/responses/json-schema-sample';
import { ReplyBudgetError } from '../src/modules/responses/reply-errors';
import { createTokenizer } from '../src/modules/tokenizer/create-tokenizer';

const ROOM = 32_768;
const CASES: Array<[string, object, number]> = [
  ['string minLength 1e9', { type: 'string', minLength: 1e9 }, 100],
  ['array minItems 1e9', { type: 'array', minItems: 1e9 }, 100],
  ['array minItems 1e6', { type: 'array', items: { type: 'integer' }, minItems: 1e6 }, 100],
  ['nested arrays 1000^3', { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000, items: { type: 'array', minItems: 1000 } } }, 100],
  ['object minProperties 1e7', { type: 'object', minProperties: 1e7 }, 100],
  ['minLength 100k, max_tokens 16 (truncated)', { type: 'string', minLength: 100_000 }, 16],
  ['minLength 100k, max_tokens 4096 (truncated)', { type: 'string', minLength: 100_000 }, 4096],
  ['minItems 20k, max_tokens 4096', { type: 'array', items: { type: 'integer' }, minItems: 20_000 }, 4096],
  [
    'weather tool',
    { type: 'object', properties: { location: { type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer', minimum: 1, maximum: 7 } }, required: ['location'] },
    ROOM,
  ],
  [
    'order with nested items',
    {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        items: { type: 'array', items: { type: 'object', properties: { sku: { type: 'string' }, qty: { type: 'integer' } }, required: ['sku', 'qty'] }, minItems: 1 },
      },
      required: ['id', 'items'],
    },
    ROOM,
  ],
];

function main(): void {
  const tokenizer = createTokenizer('mistralai/Mistral-7B-Instruct-v0.3');
  tokenizer.encode('warm up');
  console.log(`context room ${ROOM} tokens; times are the median of 20 runs`);
  console.log(['case'.padEnd(46), 'outcome'.padEnd(22), 'sample ms'.padStart(10), 'chars'.padStart(8), 'encode ms'.padStart(10)].join(' '));
  for (const [name, schema, maxTokens] of CASES) {
    const times: number[] = [];
    let outcome = '';
    let text = '';
    for (let run = 0; run < 20; run++) {
      const start = process.hrtime.bigint();
      try {
        const sample = sampleJsonText(schema, new Random(run), { maxTokens, roomTokens: ROOM });
        text = sample.text;
        outcome = sample.truncated ? 'truncated' : 'complete';
      } catch (err) {
        if (!(err instanceof ReplyBudgetError)) throw err;
        outcome = `refused (${err.schemaPath || 'root'})`;
        text = '';
      }
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    const encodeStart = process.hrtime.bigint();
    const tokens = text === '' ? 0 : tokenizer.encode(text).ids.length;
    const encodeMs = Number(process.hrtime.bigint() - encodeStart) / 1e6;
    console.log(
      [name.padEnd(46), outcome.padEnd(22), times[10].toFixed(3).padStart(10), String(text.length).padStart(8), `${encodeMs.toFixed(2)} (${tokens} tok)`.padStart(10)].join(' '),
    );
  }
}

main();
