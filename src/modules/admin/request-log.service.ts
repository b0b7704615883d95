import { Inject, Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { onResponseOver } from '../../common/response-over';
import { SETTINGS } from '../../config/config.module';
import { primaryServedName, Settings } from '../../config/settings';
import { Engine } from '../engine/engine';
import { RequestOutcome } from '../engine/engine.types';
import { FaultsService } from '../faults/faults.service';
import { httpRequestFacts } from '../faults/http-faults';
import { ChoiceOutcome, RequestLog, RequestLogEntry, round, summarize } from './request-log';

/** Routes whose requests are logged (inference and tokenizer work, not probes, metrics or admin). */
const LOGGED = /^\/(v1\/|tokenize|detokenize)/;
/** Outcomes waiting for their HTTP response to end; bounded in case a response never reports. */
const MAX_PENDING = 10_000;

/**
 * Feeds the request log from what each layer knows: the HTTP response (route, status, duration,
 * through one Fastify hook on the response's close), the engine (tokens, TTFT, finish reason) and the fault
 * decision. gRPC requests are logged when the engine finishes them.
 */
@Injectable()
export class RequestLogService implements OnModuleInit, OnModuleDestroy {
  readonly log = new RequestLog(1000);
  private readonly pending = new Map<string, RequestOutcome>();
  private readonly grpcFaults = new Map<string, string>();
  /** Choices still in the engine when their HTTP response ended (a cut stream aborts just after): their outcome patches the entry. */
  private readonly late = new Map<string, { index: number; entry: RequestLogEntry; choices: ChoiceOutcome[] }>();
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly engine: Engine,
    private readonly faults: FaultsService,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  onModuleInit(): void {
    this.unsubscribe.push(this.engine.events.on('finished', (outcome) => this.onFinished(outcome)));
    this.unsubscribe.push(
      this.faults.onInjected((f) => {
        if (f.route === 'grpc') remember(this.grpcFaults, f.requestId, f.type, MAX_PENDING);
      }),
    );
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    // Every request's response is over at some point, also when the connection was dropped
    // before an answer (Fastify's onResponse does not run then).
    fastify?.addHook('onRequest', async (req, reply) => {
      if (LOGGED.test(req.url)) onResponseOver(reply.raw, () => this.onClosed(req, reply));
    });
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }

  recent(limit: number): RequestLogEntry[] {
    return this.log.recent(limit);
  }

  private onFinished(outcome: RequestOutcome): void {
    if (outcome.origin !== 'grpc') {
      const late = this.late.get(outcome.requestId);
      if (!late) return remember(this.pending, outcome.requestId, outcome, MAX_PENDING);
      this.late.delete(outcome.requestId);
      late.choices.push({ index: late.index, outcome });
      Object.assign(late.entry, summarize(late.choices));
      return;
    }
    const fault = this.grpcFaults.get(outcome.requestId) ?? null;
    this.grpcFaults.delete(outcome.requestId);
    this.log.push({
      id: outcome.requestId,
      time: new Date(Date.now() - (outcome.finishedTime - outcome.arrivalTime)).toISOString(),
      route: 'grpc',
      model: primaryServedName(this.settings),
      status: null,
      ...summarize([{ index: 0, outcome }]),
      duration_ms: round(outcome.finishedTime - outcome.arrivalTime),
      fault,
    });
  }

  private onClosed(req: FastifyRequest, reply: FastifyReply): void {
    const path = req.url.split('?')[0];
    const facts = httpRequestFacts(req.raw);
    const id = facts?.requestId ?? req.id;
    const body = req.body as { model?: unknown } | undefined;
    const elapsed = reply.elapsedTime;
    const choices = this.takeOutcomes(id);
    const entry: RequestLogEntry = {
      id,
      time: new Date(Date.now() - elapsed).toISOString(),
      route: req.routeOptions?.url ?? path,
      model: typeof body?.model === 'string' ? body.model : null,
      status: reply.raw.headersSent ? reply.raw.statusCode : null,
      ...summarize(choices),
      duration_ms: round(elapsed),
      fault: facts?.fault?.type ?? null,
    };
    this.log.push(entry);
    for (const { engineId, index } of this.stillRunning(id, choices)) this.late.set(engineId, { index, entry, choices });
  }

  /** Choices of the request the engine has not finished yet. */
  private stillRunning(id: string, finished: ChoiceOutcome[]): Array<{ engineId: string; index: number }> {
    if (this.engine.has(id)) return [{ engineId: id, index: 0 }];
    const out: Array<{ engineId: string; index: number }> = [];
    for (let index = 0; ; index++) {
      const engineId = `${id}-${index}`;
      if (this.engine.has(engineId)) out.push({ engineId, index });
      else if (!finished.some((c) => c.index === index)) return out;
    }
  }

  /** The outcomes of a request's choices: engine ids are `id`, or `id-<index>` when n > 1 or several prompts. */
  private takeOutcomes(id: string): ChoiceOutcome[] {
    const single = this.pending.get(id);
    if (single) {
      this.pending.delete(id);
      return [{ index: 0, outcome: single }];
    }
    const out: ChoiceOutcome[] = [];
    for (let index = 0; ; index++) {
      const outcome = this.pending.get(`${id}-${index}`);
      if (!outcome) return out;
      this.pending.delete(`${id}-${index}`);
      out.push({ index, outcome });
    }
  }
}

/** Map.set with FIFO eviction beyond `max` entries. */
function remember<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}
