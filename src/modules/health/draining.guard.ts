import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { OpenAIError } from '../openai/openai-error';
import { LifecycleService } from './lifecycle.service';

/** New inference work is refused with 503 while the server starts or drains. */
@Injectable()
export class AcceptingWorkGuard implements CanActivate {
  constructor(private readonly lifecycle: LifecycleService) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http' || this.lifecycle.ready) return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (!req.url.startsWith('/v1/completions') && !req.url.startsWith('/v1/chat')) return true;
    throw OpenAIError.notServing(this.lifecycle.draining);
  }
}
