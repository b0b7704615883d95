import { status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { ApiError } from '../api/api-error';

/**
 * The gRPC code for an `ApiError` status: the one place the gRPC door maps errors (validation,
 * unknown model, injected faults of docs/admin.md).
 */
export function grpcCodeFor(httpStatus: number): GrpcStatus {
  switch (httpStatus) {
    case 400:
    case 413:
    case 422:
      return GrpcStatus.INVALID_ARGUMENT;
    case 401:
      return GrpcStatus.UNAUTHENTICATED;
    case 403:
      return GrpcStatus.PERMISSION_DENIED;
    case 404:
      return GrpcStatus.NOT_FOUND;
    case 409:
      return GrpcStatus.ALREADY_EXISTS;
    case 429:
      return GrpcStatus.RESOURCE_EXHAUSTED;
    case 501:
      return GrpcStatus.UNIMPLEMENTED;
    case 503:
      return GrpcStatus.UNAVAILABLE;
    case 504:
      return GrpcStatus.DEADLINE_EXCEEDED;
    default:
      return httpStatus >= 400 && httpStatus < 500 ? GrpcStatus.INVALID_ARGUMENT : GrpcStatus.INTERNAL;
  }
}

/** Any error a gRPC handler meets, as the `{ code, message }` Nest hands to grpc-js. */
export function toRpcException(error: unknown): RpcException {
  if (error instanceof RpcException) return error;
  if (error instanceof ApiError) return new RpcException({ code: grpcCodeFor(error.status), message: error.message });
  const message = error instanceof Error ? error.message : 'Internal server error';
  return new RpcException({ code: GrpcStatus.INTERNAL, message });
}
