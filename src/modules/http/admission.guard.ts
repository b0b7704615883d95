import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { FastifyReply, FastifyRequest } from 'fastify';
import { onResponseOver } from '../../common/response-over';
import { Admission } from '../lifecycle/admission';

/**
 * Inference routes (declared with @InferenceRoute) are let in here, or refused with 503 while the
 * server starts or drains. Let in, a request counts in the server load from here until its
 * response is over: a drain also waits for a request still being validated or encoded.
 */
@Injectable()
export class AdmissionGuard implements CanActivate {
  constructor(private readonly admission: Admission) {}

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const req = context.switchToHttp().getRequest<FastifyRequest>();
    if (req.routeOptions.config?.routeKind !== 'inference') return true;
    onResponseOver(context.switchToHttp().getResponse<FastifyReply>().raw, this.admission.admit());
    return true;
  }
}
