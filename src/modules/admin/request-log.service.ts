import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { onResponseOver } from '../../common/response-over';
import { SETTINGS } from '../../config/config.module';
import { primaryServedName, Settings } from '../../config/settings';
import { FaultsService } from '../faults/faults.service';
import { httpRequestFacts } from '../faults/http-faults';
import { Generation, GenerationService } from '../generation/generation.service';
import { ChoiceOutcome, RequestLog, RequestLogEntry, round, summarize } from './request-log';

/** Routes whose requests are logged (inference and tokenizer work, not probes, metrics or admin). */
const LOGGED = /^\/(v1\/|tokenize|detokenize)/;
/** gRPC fault decisions waiting for their generation to end; bounded in case one never starts. */
const MAX_GRPC_FAULTS = 10_000;

/**
 * Feeds the request log from what each layer knows: the HTTP response (route, status, duration,
 * through one Fastify hook once the response is over), the request's generation (tokens, TTFT,
 * finish reason, read from its choices, so a client id that several requests share cannot mix them
 * up) and the fault decision. gRPC requests are logged when their generation ends.
 */
@Injectable()
export class RequestLogService implements OnModuleInit, OnModuleDestroy {
  readonly log = new RequestLog(1000);
  private readonly grpcFaults = new Map<string, string>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly generations: GenerationService,
    private readonly faults: FaultsService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.generations.onStarted((generation) => {
        if (generation.origin === 'grpc') void generation.finished.then(() => this.logGrpc(generation));
      }),
    );
    this.unsubscribe.push(
      this.faults.onInjected((f) => {
        if (f.route === 'grpc') remember(this.grpcFaults, f.requestId, f.type, MAX_GRPC_FAULTS);
      }),
    );
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // Every request's response is over at some point, also when the connection was dropped
    // before an answer (Fastify's onResponse does not run then).
    fastify?.addHook('onRequest', async (req, reply) => {
      if (LOGGED.test(req.routeOptions.url ?? req.url)) onResponseOver(reply.raw, () => this.onClosed(req, reply));
    });
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  recent(limit: number): RequestLogEntry[] {
    return this.log.recent(limit);
  }

  private logGrpc(generation: Generation): void {
    const choices = outcomesOf(generation);
    if (choices.length === 0) return;
    const arrival = Math.min(...choices.map((c) => c.outcome.arrivalTime));
    const finished = Math.max(...choices.map((c) => c.outcome.finishedTime));
    const fault = this.grpcFaults.get(generation.requestId) ?? null;
    this.grpcFaults.delete(generation.requestId);
    this.log.push({
      id: generation.requestId,
      time: new Date(Date.now() - (finished - arrival)).toISOString(),
      route: 'grpc',
      model: primaryServedName(this.settings),
      status: null,
      ...summarize(choices),
      duration_ms: round(finished - arrival),
      fault,
    });
  }

  private onClosed(req: FastifyRequest, reply: FastifyReply): void {
    const path = req.url.split('?')[0];
    const facts = httpRequestFacts(req.raw);
    const id = facts?.requestId ?? req.id;
    const body = req.body as { model?: unknown } | undefined;
    const elapsed = reply.elapsedTime;
    const generation = facts?.generation;
    const entry: RequestLogEntry = {
      id,
      time: new Date(Date.now() - elapsed).toISOString(),
      route: req.routeOptions?.url ?? path,
      model: typeof body?.model === 'string' ? body.model : null,
      status: reply.raw.headersSent ? reply.raw.statusCode : null,
      ...summarize(generation ? outcomesOf(generation) : []),
      duration_ms: round(elapsed),
      fault: facts?.fault?.type ?? null,
    };
    this.log.push(entry);
    // Choices still in the engine when the response ended (a cut stream aborts just after) complete the entry when they end.
    if (generation && !generation.done) void generation.finished.then(() => Object.assign(entry, summarize(outcomesOf(generation))));
  }
}

/** The choices of a generation that have ended, in index order. */
function outcomesOf(generation: Generation): ChoiceOutcome[] {
  return generation.choices.flatMap((c) => (c.outcome ? [{ index: c.index, outcome: c.outcome }] : []));
}

/** Map.set with FIFO eviction beyond `max` entries. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}
