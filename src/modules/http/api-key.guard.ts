import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { timingSafeEqual } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';

/** Constant-time comparison of a presented secret with the expected one. */
export function secretMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer TOKEN` value (scheme case-insensitive), else null. */
function bearerOf(header: unknown): string | null {
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match ? match[1] : null;
}

export function bearerToken(req: FastifyRequest): string | null {
  return bearerOf(req.headers.authorization);
}

/** Route prefixes vLLM's AuthenticationMiddleware guards (its GUARDED_PREFIX). */
const GUARDED_PREFIXES = ['/v1', '/v2', '/inference'];

/**
 * Whether `--api-key` guards a route. Decided on the route the router matched (its template), never
 * on the raw URL: `/%76%31/models` is the router's `/v1/models`, and must be guarded as that.
 */
function isGuardedRoute(route: string): boolean {
  return GUARDED_PREFIXES.some((p) => route === p || route.startsWith(`${p}/`));
}

/** gRPC methods that answer without the key, as vLLM's gRPC server leaves HealthCheck open for probes. */
const OPEN_RPC_METHODS = new Set(['HealthCheck']);

/**
 * vLLM's --api-key: HTTP routes under /v1, /v2 and /inference need `Authorization: Bearer KEY`;
 * gRPC calls need the same in their `authorization` metadata (HealthCheck excepted, and the
 * standard health and reflection services, which Nest does not route).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  canActivate(context: ExecutionContext): boolean {
    const key = this.settings.api_key;
    if (!key) return true;
    if (context.getType() === 'rpc') {
      if (OPEN_RPC_METHODS.has(rpcMethodName(context))) return true;
      const metadata = context.switchToRpc().getContext<Metadata | undefined>();
      const token = bearerOf(metadata?.get?.('authorization')[0]);
      if (token !== null && secretMatches(token, key)) return true;
      throw new RpcException({ code: GrpcStatus.UNAUTHENTICATED, message: 'Invalid or missing API key.' });
    }
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!isGuardedRoute(req.routeOptions.url ?? '')) return true;
    const token = bearerToken(req);
    if (token !== null && secretMatches(token, key)) return true;
    throw new ApiError(401, 'Unauthorized', null, 'AuthenticationError');
  }
}

/** The RPC name a Nest gRPC handler serves (its @GrpcMethod metadata), or ''. */
function rpcMethodName(context: ExecutionContext): string {
  const pattern = Reflect.getMetadata('microservices:pattern', context.getHandler()) as Array<{ rpc?: string }> | undefined;
  return pattern?.[0]?.rpc ?? '';
}
