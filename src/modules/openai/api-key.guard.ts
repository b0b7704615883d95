import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { FastifyRequest } from 'fastify';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { OpenAIError } from './openai-error';

/** Constant-time comparison of a presented secret with the expected one. */
export function secretMatches(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function bearerToken(req: FastifyRequest): string | null {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(.+)$/i.exec(header.trim()) : null;
  return match ? match[1] : null;
}

/** vLLM's --api-key: every /v1 route needs `Authorization: Bearer KEY`. */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  canActivate(context: ExecutionContext): boolean {
    const key = this.settings.api_key;
    if (!key || context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!req.url.startsWith('/v1')) return true;
    const token = bearerToken(req);
    if (token !== null && secretMatches(token, key)) return true;
    throw new OpenAIError(401, 'Unauthorized', null, 'AuthenticationError');
  }
}
