import Fastify, { FastifyInstance } from 'fastify';
import { ApiError } from '../api/api-error';
import { RequestOutcome } from '../engine/engine.types';
import { Choice, Generation, GenerationListener } from '../generation/generation.service';
import { toApiError } from './openai-exception.filter';
import { Renderer, respond } from './responder';

const plan = { tokenIds: [1, 2], pieces: ['a', 'b'], text: 'ab', finishReason: 'stop' as const, stopReason: null, pattern: null };
const newChoice = (): Choice => ({ index: 0, promptIndex: 0, engineId: 'r', promptTokens: 3, plan, generated: 0 });

const outcome = (finishReason: RequestOutcome['finishReason'], generatedTokens: number): RequestOutcome => ({
  requestId: 'r',
  finishReason,
  promptTokens: 3,
  generatedTokens,
  cachedTokens: 0,
  maxTokens: 2,
  n: 1,
  arrivalTime: 0,
  finishedTime: 0,
  numPreemptions: 0,
});

/** A minimal renderer: one chunk per token event, a role + finish pair for finishChunks. */
const renderer: Renderer = {
  tokenChunks: (choice, event, last) => [{ text: choice.plan.pieces.slice(event.generated - event.tokenIds.length, event.generated).join(''), finish_reason: last ? 'stop' : null }],
  finishChunks: (_choice, o) => [{ role: 'assistant' }, { text: '', finish_reason: o.finishReason }],
  usageChunk: (u) => ({ usage: u }),
  body: (choices) => ({ choices: choices.map((c) => ({ text: c.plan.pieces.slice(0, c.generated).join(''), finish_reason: c.outcome?.finishReason })) }),
};

/** A start that fails the way GenerationService.start does when the engine refuses a choice. */
const refusedStart = (listener: GenerationListener): Generation => {
  // A choice submitted before the refusal is aborted at once, synchronously, inside start.
  const choice = newChoice();
  choice.outcome = outcome('abort', 0);
  listener.onChoiceFinished?.(choice, choice.outcome);
  // What GenerationService throws for an EngineRefusal at submission.
  throw ApiError.badRequest('The request needs 50000 tokens of KV cache but the whole cache holds 40576.');
};

/** A start whose engine emits on a later turn (as the engine's clock does), then ends the choice. */
const servedStart =
  (end: 'stop' | 'abort') =>
  (listener: GenerationListener): Generation => {
    const choice = newChoice();
    const generation = new Generation('r', [choice], 'http');
    setImmediate(() => {
      choice.generated = 1;
      listener.onTokens?.(choice, { requestId: 'r', tokenIds: [1], generated: 1, time: 0 });
      setImmediate(() => {
        if (end === 'stop') {
          choice.generated = 2;
          listener.onTokens?.(choice, { requestId: 'r', tokenIds: [2], generated: 2, time: 0 });
        }
        choice.outcome = outcome(end, choice.generated);
        listener.onChoiceFinished?.(choice, choice.outcome);
        generation.choiceFinished();
      });
    });
    return generation;
  };

describe('respond', () => {
  let app: FastifyInstance;
  let start: (listener: GenerationListener) => Generation;

  beforeAll(async () => {
    app = Fastify();
    // What OpenAIExceptionFilter does for the Nest app: vLLM's error body with the error's status.
    app.setErrorHandler((err, _req, reply) => {
      const error = toApiError(err);
      void reply.code(error.status).send(error.toBody());
    });
    app.post<{ Body: { stream: boolean } }>('/', (req, reply) =>
      respond(reply, { stream: req.body.stream, includeUsage: false, continuousUsage: false, promptDetails: false }, async (listener) => start(listener), renderer),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const call = (stream: boolean) => app.inject({ method: 'POST', url: '/', payload: { stream } });

  it.each([true, false])('answers a refusal at submission with its 400 in vLLM shape, never a stream (stream: %s)', async (stream) => {
    start = refusedStart;
    const res = await call(stream);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toEqual({
      error: { message: 'The request needs 50000 tokens of KV cache but the whole cache holds 40576.', type: 'BadRequestError', param: null, code: 400 },
    });
  });

  it('streams every engine event once the request is in the engine', async () => {
    start = servedStart('stop');
    const res = await call(true);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.body).toBe('data: {"text":"a","finish_reason":null}\n\ndata: {"text":"b","finish_reason":"stop"}\n\ndata: [DONE]\n\n');
  });

  it('ends a choice the server aborted after some tokens with only the closing chunk', async () => {
    start = servedStart('abort');
    const res = await call(true);
    expect(res.body).toBe('data: {"text":"a","finish_reason":null}\n\ndata: {"text":"","finish_reason":"abort"}\n\ndata: [DONE]\n\n');
  });
});
