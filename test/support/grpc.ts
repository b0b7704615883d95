import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { dirname, join } from 'node:path';
import { GRPC_LOADER_OPTIONS, HEALTH_PROTO, VLLM_ENGINE_PROTO } from '../../src/modules/grpc/proto';

export type Client = grpc.Client & Record<string, any>;

export function clientsFor(port: number) {
  const address = `127.0.0.1:${port}`;
  const creds = grpc.credentials.createInsecure();
  const engineDef = grpc.loadPackageDefinition(protoLoader.loadSync(VLLM_ENGINE_PROTO, GRPC_LOADER_OPTIONS)) as any;
  const healthDef = grpc.loadPackageDefinition(protoLoader.loadSync(HEALTH_PROTO, GRPC_LOADER_OPTIONS)) as any;
  const reflectionProto = join(dirname(require.resolve('@grpc/reflection/package.json')), 'build/proto/grpc/reflection/v1alpha/reflection.proto');
  const reflectionDef = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, GRPC_LOADER_OPTIONS)) as any;
  return {
    engine: new engineDef.vllm.grpc.engine.VllmEngine(address, creds) as Client,
    health: new healthDef.grpc.health.v1.Health(address, creds) as Client,
    reflection: new reflectionDef.grpc.reflection.v1alpha.ServerReflection(address, creds) as Client,
  };
}

export const unary = <T = any>(client: Client, method: string, req: object = {}, metadata = new grpc.Metadata()): Promise<T> =>
  new Promise((resolve, reject) => client[method](req, metadata, (err: grpc.ServiceError | null, res: T) => (err ? reject(err) : resolve(res))));

/** Collects a Generate stream; resolves with its messages or rejects with the status error. */
export const generate = (client: Client, req: object, metadata = new grpc.Metadata()): Promise<any[]> =>
  new Promise((resolve, reject) => {
    const out: any[] = [];
    const call = client.Generate(req, metadata);
    call.on('data', (m: any) => out.push(m));
    call.on('error', reject);
    call.on('end', () => resolve(out));
  });

