/**
 * Cost of planning one reply with the bundled patterns and the default model's tokenizer: template
 * filling, tool choice with arguments from the conversation, JSON shapes, for short prompts and a
 * long pasted one. Prints the median time per plan. Run: npm run bench:replies
 */
import { resolve } from 'node:path';
import { Settings } from '../src/config/settings';
import { PatternStore } from '../src/modules/responses/pattern-store';
import { ResponsesService } from '../src/modules/responses/responses.service';
import { ReplyRequest, ToolOffer } from '../src/modules/responses/responses.types';
import { createTokenizer } from '../src/modules/tokenizer/create-tokenizer';

const WEATHER: ToolOffer = {
  choice: 'auto',
  tools: [
    { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { location: { type: 'string' }, unit: { enum: ['celsius', 'fahrenheit'] } }, required: ['location'] } },
    { name: 'search_docs', description: 'Search the documentation', parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] } },
  ],
};
const MEDIUM = Array.from({ length: 60 }, (_, i) => `Sentence ${i} of a pasted report about quarterly results and plans.`).join(' ');
const LONG = Array.from({ length: 2_000 }, (_, i) => `Sentence ${i} of a long pasted report about quarterly results and plans.`).join(' ');

const CASES: Array<[string, Partial<ReplyRequest>]> = [
  ['greeting', { prompt: 'hello' }],
  ['arithmetic', { prompt: 'What is 12 * 7?' }],
  ['code (python recipe)', { prompt: 'Write a python function that reverses a string' }],
  ['summary of a 3-sentence text', { prompt: 'Summarize this: The council voted to expand bike lanes. The plan adds 12 miles. Some worry about parking.' }],
  [`summary of a ${LONG.length}-character text`, { prompt: `Summarize this: ${LONG}` }],
  [`fallback, ${MEDIUM.length}-character prompt`, { prompt: MEDIUM }],
  [`fallback, ${LONG.length}-character prompt`, { prompt: LONG }],
  ['auto tool call (weather in Paris)', { prompt: 'What is the weather in Paris?', tools: WEATHER }],
  ['answer after a tool result', {
    prompt: 'What is the weather in Paris?',
    tools: WEATHER,
    messages: [
      { role: 'user', content: 'What is the weather in Paris?' },
      { role: 'assistant', content: '', toolCalls: [{ id: 'c1', name: 'get_weather', arguments: '{"location": "Paris"}' }] },
      { role: 'tool', content: '{"temperature": 22, "condition": "sunny"}', toolCallId: 'c1' },
    ],
  }],
  ['json_object with listed fields', { prompt: 'a JSON object with name, age and email', format: { type: 'json_object' } }],
];

function main(): void {
  const tokenizer = createTokenizer('mistralai/Mistral-7B-Instruct-v0.3');
  const store = new PatternStore({ path: resolve(__dirname, '../config/responses.yaml'), logger: { log() {}, warn() {}, error() {} } });
  store.loadInitial();
  const service = new ResponsesService(tokenizer, Object.assign(new Settings(), { seed: 1 }), store);
  console.log(`${'case'.padEnd(44)} ${'median ms'.padStart(10)} ${'tokens'.padStart(7)}  pattern`);
  for (const [name, over] of CASES) {
    const req: ReplyRequest = { kind: 'chat', prompt: '', choiceIndex: 0, maxTokens: 1024, minTokens: 0, ignoreEos: false, stop: [], ...over };
    const times: number[] = [];
    let plan = service.plan(req);
    for (let run = 0; run < 30; run++) {
      const start = process.hrtime.bigint();
      plan = service.plan({ ...req, seed: run });
      times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    times.sort((a, b) => a - b);
    const kind = plan.toolCalls ? `tool calls: ${plan.toolCalls.map((c) => c.name).join(', ')}` : (plan.pattern ?? 'fallback');
    console.log(`${name.padEnd(44)} ${times[15].toFixed(3).padStart(10)} ${String(plan.tokenIds.length).padStart(7)}  ${kind}`);
  }
}

main();
