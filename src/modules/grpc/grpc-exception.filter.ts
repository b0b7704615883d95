import { ArgumentsHost, Catch, Logger, RpcExceptionFilter } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { Observable, throwError } from 'rxjs';
import { ApiError } from '../api/api-error';
import { toRpcException } from './grpc-status';

/**
 * Maps whatever a gRPC handler throws (or its stream errors with) to a gRPC status. Without it Nest
 * answers UNKNOWN "Internal server error" for anything but an RpcException.
 */
@Catch()
export class GrpcExceptionFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('gRPC');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const rpc = toRpcException(exception);
    const error = rpc.getError() as { code: number; message: string };
    // An error the simulator meant (an injected fault) is no failure of its own, as on HTTP.
    if (error.code === GrpcStatus.INTERNAL && !(exception instanceof ApiError)) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return throwError(() => error);
  }
}
