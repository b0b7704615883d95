import Fastify, { FastifyInstance } from 'fastify';
import { ApiError } from '../api/api-error';
import { Settings } from '../../config/settings';
import { PerformanceProfile } from '../benchmarks/profile.types';
import { Engine } from '../engine/engine';
import { Engines } from '../engine/engines';
import { RequestOutcome } from '../engine/engine.types';
import { Exchanges } from '../generation/exchange';
import { Choice, Generation } from '../generation/generation';
import { GenerationService } from '../generation/generation.service';
import { GenerationSink, ServeOutcome } from '../generation/inference-request';
import { toApiError } from './exception.filter';
import { HttpResponder, Renderer } from './http-responder';
import { SseWriter } from './sse';

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

type Serve = (sink: GenerationSink) => Promise<ServeOutcome>;

/** The pipeline refusing the request at submission, as GenerationService does for an EngineRefusal. */
const refused: Serve = () => Promise.reject(ApiError.badRequest('The request needs 50000 tokens of KV cache but the whole cache holds 40576.'));

/** The pipeline serving one choice whose events come on later turns (as the engine's clock does). */
const served =
  (end: 'stop' | 'abort'): Serve =>
  (sink) =>
    new Promise((resolve) => {
      const choice = newChoice();
      const generation = new Generation('r', [choice], 'http');
      sink.started?.(generation);
      setImmediate(() => {
        choice.generated = 1;
        sink.onTokens?.(choice, { requestId: 'r', tokenIds: [1], generated: 1, time: 0 });
        setImmediate(() => {
          if (end === 'stop') {
            choice.generated = 2;
            sink.onTokens?.(choice, { requestId: 'r', tokenIds: [2], generated: 2, time: 0 });
          }
          choice.outcome = outcome(end, choice.generated);
          sink.onChoiceFinished?.(choice, choice.outcome);
          generation.choiceFinished();
          resolve({ kind: 'finished', generation, choices: [choice] });
        });
      });
    });

describe('HttpResponder', () => {
  let app: FastifyInstance;
  let serve: Serve;
  const engine = { events: { on: () => () => undefined } } as unknown as Engine;
  const sse = new SseWriter(new Engines([{ name: 'm', settings: new Settings(), profile: {} as PerformanceProfile, engine }]));
  const pipeline = { serve: (_req: unknown, _client: unknown, sink: GenerationSink) => serve(sink) } as unknown as GenerationService;
  const responder = new HttpResponder(pipeline, new Exchanges(), sse, Object.assign(new Settings(), { enable_prompt_tokens_details: false }));

  beforeAll(async () => {
    app = Fastify();
    // What ApiExceptionFilter does for the Nest app: vLLM's error body with the error's status.
    app.setErrorHandler((err, _req, reply) => {
      const error = toApiError(err);
      void reply.code(error.status).send(error.toBody());
    });
    app.post<{ Body: { stream: boolean } }>('/', (req, reply) =>
      responder.respond(reply, { work: { model: 'm', n: 1, maxTokensParam: 2, prompts: [] }, renderer, stream: req.body.stream, includeUsage: false, continuousUsage: false }),
    );
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
  });

  const call = (stream: boolean) => app.inject({ method: 'POST', url: '/', payload: { stream } });

  it.each([true, false])('answers a refusal at submission with its 400 in vLLM shape, never a stream (stream: %s)', async (stream) => {
    serve = refused;
    const res = await call(stream);
    expect(res.statusCode).toBe(400);
    expect(res.headers['content-type']).toMatch(/application\/json/);
    expect(res.json()).toEqual({
      error: { message: 'The request needs 50000 tokens of KV cache but the whole cache holds 40576.', type: 'BadRequestError', param: null, code: 400 },
    });
  });

  it('streams every engine event once the request is in the engine', async () => {
    serve = served('stop');
    const res = await call(true);
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/event-stream/);
    expect(res.body).toBe('data: {"text":"a","finish_reason":null}\n\ndata: {"text":"b","finish_reason":"stop"}\n\ndata: [DONE]\n\n');
  });

  it('ends a choice the server aborted after some tokens with only the closing chunk', async () => {
    serve = served('abort');
    const res = await call(true);
    expect(res.body).toBe('data: {"text":"a","finish_reason":null}\n\ndata: {"text":"","finish_reason":"abort"}\n\ndata: [DONE]\n\n');
  });

  it('answers a body once every choice is done', async () => {
    serve = served('stop');
    const res = await call(false);
    expect(res.json()).toEqual({ choices: [{ text: 'ab', finish_reason: 'stop' }] });
  });

  it('cuts a stream with vLLM error event and [DONE] when a stream_abort fault fires before any token', async () => {
    serve = () => Promise.resolve({ kind: 'cut', error: new ApiError(500, 'cut') });
    const res = await call(true);
    expect(res.body).toBe('data: {"error":{"message":"cut","type":"InternalServerError","param":null,"code":500}}\n\ndata: [DONE]\n\n');
  });
});
