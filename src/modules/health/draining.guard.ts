import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { onResponseOver } from '../../common/response-over';
import { ServerLoad } from '../generation/server-load';
import { ApiError } from '../api/api-error';
import { LifecycleService } from './lifecycle.service';

const GENERATION_ROUTES = ['/v1/completions', '/v1/chat'];

/**
 * New inference work is refused with 503 while the server starts or drains. Work it lets in counts
 * in the server load from here until its response is over, as vLLM's `load_aware_call` wraps the
 * handler: a drain also waits for a request still being read, validated or encoded.
 */
@Injectable()
export class AcceptingWorkGuard implements CanActivate {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly load: ServerLoad,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    const route = req.routeOptions.url ?? '';
    if (!GENERATION_ROUTES.some((prefix) => route.startsWith(prefix))) return true;
    if (!this.lifecycle.ready) throw ApiError.notServing(this.lifecycle.draining);
    onResponseOver(context.switchToHttp().getResponse<FastifyReply>().raw, this.load.begin());
    return true;
  }
}
