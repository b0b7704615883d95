import { applyDecorators } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';

/**
 * What a route is, as it declares it. Admission, faults, the request log and the HTTP metrics
 * decide from the declaration, never from lists of paths:
 * - `inference`: admitted (readiness, drain, /load), may take faults, logged, measured;
 * - `utility`: logged and measured (models, tokenizer);
 * - `control`: measured (admin, docs);
 * - `probe`: neither (health, metrics, version, load), as vLLM leaves them out of its HTTP metrics.
 * gRPC Generate is an inference call.
 */
export type RouteKind = 'inference' | 'utility' | 'control' | 'probe';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Set by the route decorators below; read by the HTTP hooks and guards. */
    routeKind?: RouteKind;
  }
}

/** Declares a route's kind: Fastify keeps it in the route's config, read once per request from there. */
const routeOfKind = (routeKind: RouteKind) => applyDecorators(RouteConfig({ routeKind }));

export const InferenceRoute = (): MethodDecorator => routeOfKind('inference');
export const UtilityRoute = (): MethodDecorator => routeOfKind('utility');
export const ControlRoute = (): MethodDecorator => routeOfKind('control');
export const ProbeRoute = (): MethodDecorator => routeOfKind('probe');
