import { INestApplication, Logger } from '@nestjs/common';
import { GrpcOptions, Transport } from '@nestjs/microservices';
import type { Server } from '@grpc/grpc-js';
import { createServer } from 'node:net';
import { Settings } from '../../config/settings';
import { GrpcHealthService } from './grpc-health.service';
import { GRPC_LOADER_OPTIONS, HEALTH_PROTO, VLLM_ENGINE_PACKAGE, VLLM_ENGINE_PROTO } from './proto';

/**
 * Joins the gRPC microservice to the (already listening) hybrid app and starts it. Health and
 * reflection are added to the grpc-js server directly (not in Nest's `package`: grpc-js throws on a service added twice).
 * Returns the bound port; port 0 picks a free one first, since Nest does not report it back.
 */
export async function startGrpcServer(app: INestApplication, settings: Settings): Promise<number> {
  const port = settings.grpc_port === 0 ? await freePort(settings.host) : settings.grpc_port;
  const health = app.get(GrpcHealthService);
  // Required here, not at the top: an app that serves no gRPC, and the HTTP start, need none of it.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const protoLoader = require('@grpc/proto-loader') as typeof import('@grpc/proto-loader');
  const { ReflectionService } = require('@grpc/reflection') as typeof import('@grpc/reflection');
  /* eslint-enable @typescript-eslint/no-require-imports */
  // Both protos, parsed once: reflection describes everything served; Nest serves the engine's
  // package from the same definition (health is added below, not through Nest).
  const definition = protoLoader.loadSync([VLLM_ENGINE_PROTO, HEALTH_PROTO], GRPC_LOADER_OPTIONS);
  const reflection = new ReflectionService(definition);
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  app.connectMicroservice<GrpcOptions>(
    {
      transport: Transport.GRPC,
      options: {
        url: `${host}:${port}`,
        package: VLLM_ENGINE_PACKAGE,
        packageDefinition: definition,
        loader: GRPC_LOADER_OPTIONS,
        onLoadPackageDefinition: (_pkg: unknown, server: Server) => {
          health.addToServer(server, definition);
          reflection.addToServer(server);
        },
      },
    },
    { inheritAppConfig: true },
  );
  await app.startAllMicroservices();
  Logger.log(`gRPC listening on ${settings.host}:${port}`, 'Bootstrap');
  return port;
}

/** A port free right now on `host` (the OS picks it). */
function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, host, () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
