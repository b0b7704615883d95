import { RequestOutcome } from '../engine/engine.types';
import { RequestLog, RequestLogEntry, summarizeOutcomes } from './request-log';

const entry = (id: string): RequestLogEntry => ({
  id, time: '', route: '/v1/completions', model: null, status: 200, prompt_tokens: 1, completion_tokens: 1, ttft_ms: 1, duration_ms: 1, finish_reason: 'stop', fault: null,
});

const outcome = (over: Partial<RequestOutcome>): RequestOutcome => ({
  requestId: 'r', finishReason: 'stop', promptTokens: 10, generatedTokens: 5, cachedTokens: 0, maxTokens: 16, n: 1, arrivalTime: 100, firstTokenTime: 130, finishedTime: 200, numPreemptions: 0, ...over,
});

describe('RequestLog', () => {
  it('keeps the most recent entries, newest first, within its capacity', () => {
    const log = new RequestLog(3);
    expect(log.recent(10)).toEqual([]);
    for (const id of ['a', 'b', 'c', 'd', 'e']) log.push(entry(id));
    expect(log.recent(10).map((e) => e.id)).toEqual(['e', 'd', 'c']);
    expect(log.recent(2).map((e) => e.id)).toEqual(['e', 'd']);
  });

  it('sums choices: each prompt once, every output, earliest first token', () => {
    const s = summarizeOutcomes([
      { index: 0, outcome: outcome({ n: 2, promptTokens: 10, generatedTokens: 5, firstTokenTime: 140 }) },
      { index: 1, outcome: outcome({ n: 2, promptTokens: 10, generatedTokens: 7, firstTokenTime: 120 }) },
      { index: 2, outcome: outcome({ n: 2, promptTokens: 4, generatedTokens: 1 }) },
    ]);
    expect(s).toEqual({ prompt_tokens: 14, completion_tokens: 13, ttft_ms: 20, finish_reason: 'stop' });
    expect(summarizeOutcomes([])).toEqual({ prompt_tokens: null, completion_tokens: null, ttft_ms: null, finish_reason: null });
  });
});
