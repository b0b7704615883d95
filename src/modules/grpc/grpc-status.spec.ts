import { status } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { ApiError } from '../api/api-error';
import { grpcCodeFor, toRpcException } from './grpc-status';

describe('gRPC status mapping', () => {
  it.each([
    [400, status.INVALID_ARGUMENT],
    [401, status.UNAUTHENTICATED],
    [404, status.NOT_FOUND],
    [429, status.RESOURCE_EXHAUSTED],
    [500, status.INTERNAL],
    [503, status.UNAVAILABLE],
    [504, status.DEADLINE_EXCEEDED],
  ])('HTTP %i -> gRPC %i', (http, grpc) => {
    expect(grpcCodeFor(http)).toBe(grpc);
  });

  it('keeps the ApiError message', () => {
    const e = toRpcException(ApiError.badRequest('n must be at least 1, got 0.', 'n'));
    expect(e.getError()).toEqual({ code: status.INVALID_ARGUMENT, message: 'n must be at least 1, got 0.' });
  });

  it('passes RpcExceptions through and turns anything else into INTERNAL', () => {
    const rpc = new RpcException({ code: status.CANCELLED, message: 'x' });
    expect(toRpcException(rpc)).toBe(rpc);
    expect(toRpcException(new Error('boom')).getError()).toEqual({ code: status.INTERNAL, message: 'boom' });
  });
});
