import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ClosedExchange, Exchanges } from '../generation/exchange';
import { Generation } from '../generation/generation';
import { ChoiceOutcome, RequestLog, RequestLogEntry, round, summarizeOutcomes } from './request-log';

/**
 * Feeds the request log from the exchanges the doors close: inference and utility routes over HTTP
 * (not probes, metrics or admin), and every gRPC call. An entry reads its own request's generation
 * (tokens, TTFT, finish reason, from its choices, so a client id that several requests share cannot
 * mix them up) and the fault the pipeline decided.
 */
@Injectable()
export class RequestLogService implements OnModuleInit, OnModuleDestroy {
  readonly log = new RequestLog(1000);
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly exchanges: Exchanges) {}

  onModuleInit(): void {
    this.unsubscribe = this.exchanges.onClosed((closed) => {
      const kind = closed.exchange.kind;
      if (closed.exchange.origin === 'grpc' || kind === 'inference' || kind === 'utility') this.record(closed);
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
  }

  recent(limit: number): RequestLogEntry[] {
    return this.log.recent(limit);
  }

  private record({ exchange, durationMs, http }: ClosedExchange): void {
    const generation = exchange.generation;
    const engine = summarizeOutcomes(generation ? outcomesOf(generation) : []);
    // Written key by key (the order GET /admin/requests shows), not spread: one per request.
    const entry: RequestLogEntry = {
      id: exchange.id,
      time: new Date(exchange.arrivedAt).toISOString(),
      route: exchange.route,
      model: exchange.model,
      status: http?.sent ? http.statusCode : null,
      prompt_tokens: engine.prompt_tokens,
      completion_tokens: engine.completion_tokens,
      ttft_ms: engine.ttft_ms,
      finish_reason: engine.finish_reason,
      duration_ms: round(durationMs),
      fault: exchange.fault,
    };
    this.log.push(entry);
    // Choices still in the engine when the response ended (a cut stream aborts just after) complete the entry when they end.
    if (generation && !generation.done) void generation.finished.then(() => Object.assign(entry, summarizeOutcomes(outcomesOf(generation))));
  }
}

/** The choices of a generation that have ended, in index order. */
function outcomesOf(generation: Generation): ChoiceOutcome[] {
  const out: ChoiceOutcome[] = [];
  for (const c of generation.choices) if (c.outcome) out.push({ index: c.index, outcome: c.outcome });
  return out;
}
