import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { bearerToken, secretMatches } from '../http/api-key.guard';
import { ApiError } from '../api/api-error';

export type AdminAccess = 'allow' | 'unauthenticated' | 'forbidden';

/** True for 127.0.0.0/8 and ::1, also in their IPv4-mapped IPv6 spelling. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.toLowerCase().replace(/^::ffff:/, '');
  return a === '::1' || a === 'localhost' || /^127(\.\d{1,3}){3}$/.test(a);
}

/**
 * Who may use /admin: with ADMIN_API_KEY, whoever presents it as a Bearer token (compared in
 * constant time); without one, loopback clients only. Independent of the /v1 --api-key.
 */
export function adminAccess(adminKey: string | undefined, token: string | null, remoteAddress: string | undefined): AdminAccess {
  if (adminKey) return token !== null && secretMatches(token, adminKey) ? 'allow' : 'unauthenticated';
  return isLoopback(remoteAddress) ? 'allow' : 'forbidden';
}

@Injectable()
export class AdminAuthGuard implements CanActivate {
  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    switch (adminAccess(this.settings.admin_api_key, bearerToken(req), req.socket.remoteAddress)) {
      case 'allow':
        return true;
      case 'unauthenticated':
        throw new ApiError(401, 'Unauthorized: /admin needs Authorization: Bearer <ADMIN_API_KEY>', null, 'AuthenticationError');
      case 'forbidden':
        throw new ApiError(403, 'Forbidden: without ADMIN_API_KEY, /admin answers loopback clients only', null, 'PermissionDeniedError');
    }
  }
}
