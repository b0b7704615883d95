import { FastifyReply } from 'fastify';
import type { Generation } from '../generation/generation.service';
import { FaultContext } from './fault.types';
import { FaultDecision, FaultsService } from './faults.service';

/** The request header that triggers one fault for a single request. */
export const FAULT_HEADER = 'x-simulate-fault';

/** What the HTTP door decided for a request, kept for the request log (keyed by the raw request). */
export interface HttpRequestFacts {
  requestId: string;
  fault: FaultDecision | null;
  /** The request's generation, once it is in the engine. */
  generation?: Generation;
}

const facts = new WeakMap<object, HttpRequestFacts>();

/** The HTTP doors' way into `FaultsService.decide`: reads `x-simulate-fault` and remembers the outcome. */
export function decideForHttp(faults: FaultsService, reply: FastifyReply, ctx: Omit<FaultContext, 'explicitType'>): FaultDecision | null {
  const header = reply.request.headers[FAULT_HEADER];
  const explicitType = Array.isArray(header) ? header[0] : header;
  const fault = faults.decide({ ...ctx, explicitType });
  facts.set(reply.request.raw, { requestId: ctx.requestId, fault });
  return fault;
}

/** Remembers the generation an HTTP request started (after `decideForHttp`). */
export function noteGeneration(raw: object, generation: Generation): void {
  const known = facts.get(raw);
  if (known) known.generation = generation;
}

/** The request id, fault and generation of an HTTP request that went through `decideForHttp`. */
export function httpRequestFacts(raw: object): HttpRequestFacts | undefined {
  return facts.get(raw);
}

/** The engine slowdown for a `slow` fault (undefined otherwise). */
export function slowdownOf(fault: FaultDecision | null | undefined): number | undefined {
  return fault?.type === 'slow' ? fault.factor : undefined;
}
