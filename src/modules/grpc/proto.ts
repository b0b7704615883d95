import { dirname, join } from 'node:path';
import type { Options } from '@grpc/proto-loader';
import { PROJECT_ROOT } from '../../config/paths';

/** Our copy of vLLM's proto; loaded from the project folder, so src and dist runs share it. */
export const VLLM_ENGINE_PROTO = join(PROJECT_ROOT, 'proto', 'vllm_engine.proto');
export const VLLM_ENGINE_PACKAGE = 'vllm.grpc.engine';
export const VLLM_ENGINE_SERVICE = 'VllmEngine';
export const VLLM_ENGINE_SERVICE_NAME = `${VLLM_ENGINE_PACKAGE}.${VLLM_ENGINE_SERVICE}`;

/**
 * grpc.health.v1's proto as shipped by grpc-health-check, served by GrpcHealthService and described
 * by reflection. Found by path: requiring the package would parse the proto a second time.
 */
export const HEALTH_PROTO = join(dirname(require.resolve('grpc-health-check')), '..', '..', 'proto', 'health', 'v1', 'health.proto');

/**
 * proto-loader's options for the server and every client: snake_case field names as on the wire,
 * 64-bit numbers as JS numbers, enums by name, proto3 defaults filled in, the name of the set
 * member of each oneof (`input: 'text' | 'tokenized'`). Clients must use the same options, or they read other field names and types.
 */
export const GRPC_LOADER_OPTIONS: Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};
