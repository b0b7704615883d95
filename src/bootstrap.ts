import { INestApplication, Logger, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AddressInfo } from 'node:net';
import { AppModule } from './app.module';
import { servedNames, Settings } from './config/settings';
import { withBatchDefaults } from './modules/benchmarks/batch-defaults';
import { startGrpcServer } from './modules/grpc/grpc-server';
import { LifecycleService } from './modules/lifecycle/lifecycle.service';
import { SIMULATED_VLLM_VERSION } from './modules/api/version';
import { fastifyOptions, LISTEN_BACKLOG } from './modules/http/http-server';
import { registerHttpHooks } from './modules/http/http-hooks';
import { Exchanges } from './modules/generation/exchange';
import { RequestValidationPipe } from './modules/http/validation';
import { serverLogger } from './modules/logging/server-logger';

export interface RunningServer {
  app: INestApplication;
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080 */
  url: string;
  port: number;
  /** Bound gRPC port; undefined when gRPC is off (`grpc_port: -1`). */
  grpcPort?: number;
  /** Drains (up to the grace period) and closes everything. */
  shutdown(graceMs?: number): Promise<boolean>;
}

/** Builds the hybrid app (Fastify HTTP now; gRPC joins here) and starts listening. */
export interface ServerOptions {
  /** More feature modules to serve beside the built-in ones (tests add routes this way). */
  modules?: readonly Type[];
}

/**
 * What one data-parallel rank serves when one process serves them all: its own ports (HTTP and
 * gRPC offset by the rank, a free one each when asked for 0) and its rank, which labels its metrics
 * (`engine="<rank>"`), offsets its KV-event ports and stamps its event batches.
 */
export function rankSettings(settings: Settings, rank: number): Settings {
  return {
    ...settings,
    data_parallel_rank: rank,
    port: settings.port === 0 ? 0 : settings.port + rank,
    grpc_port: settings.grpc_port <= 0 ? settings.grpc_port : settings.grpc_port + rank,
  };
}

/**
 * Starts every engine this process serves: with `--data-parallel-size N`, N independent apps
 * (each its own engine, KV cache, queue and ports, as N vLLM ranks behind an external load
 * balancer); with `--data-parallel-rank k`, that one rank on the ports given. If one cannot start,
 * the ones already started are closed and the error is thrown.
 */
export async function startServers(settings: Settings, options: ServerOptions = {}): Promise<RunningServer[]> {
  if (settings.data_parallel_rank !== undefined || settings.data_parallel_size === 1) return [await startServer(settings, options)];
  const servers: RunningServer[] = [];
  try {
    for (let rank = 0; rank < settings.data_parallel_size; rank++) servers.push(await startServer(rankSettings(settings, rank), options));
  } catch (err) {
    await Promise.all(servers.map((s) => s.shutdown(0)));
    throw err;
  }
  return servers;
}

export async function startServer(given: Settings, options: ServerOptions = {}): Promise<RunningServer> {
  // vLLM fills unset batch limits once the device is known; the runtime values need them before the profile.
  const settings = withBatchDefaults(given);
  const adapter = new FastifyAdapter(fastifyOptions(settings));
  // Logging (src/modules/logging): vLLM's line format (or JSON) for every Nest logger, and below.
  const logger = serverLogger(settings);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(settings, options.modules), adapter, {
    logger,
    abortOnError: false,
    // Bodies are read by registerJsonBodyParser (empty bodies, nesting limit), not Nest's parser.
    bodyParser: false,
  });
  app.useGlobalPipes(new RequestValidationPipe(settings));
  registerHttpHooks(app.getHttpAdapter().getInstance(), { settings, logger, exchanges: app.get(Exchanges), lifecycle: app.get(LifecycleService) });
  const docs = new DocumentBuilder()
    .setTitle('vllm-simulator')
    .setDescription('vLLM OpenAI-compatible API, simulated: no GPU, same wire format, metrics and timing')
    .setVersion(SIMULATED_VLLM_VERSION)
    .addBearerAuth()
    .build();
  // Examples that must name the model (Anthropic's and Cohere's APIs require it) name the served one.
  const servedModel = servedNames(settings)[0];
  const document = () => JSON.parse(JSON.stringify(SwaggerModule.createDocument(app, docs)).split('__SERVED_MODEL__').join(JSON.stringify(servedModel).slice(1, -1))) as OpenAPIObject;
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json' });
  // No app.enableShutdownHooks(): with no argument (or []) Nest listens to *every* signal and closes
  // the app at once, then re-raises the signal, which the CLI's handler takes as a second signal.
  // SIGTERM/SIGINT belong to the CLI (drain, then close); app.close() runs the destroy hooks anyway.

  await app.listen({ port: settings.port, host: settings.host, backlog: LISTEN_BACKLOG });
  const address = app.getHttpServer().address() as AddressInfo;
  const host = settings.host === '0.0.0.0' || settings.host === '::' ? '127.0.0.1' : settings.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
  const rank = settings.data_parallel_rank === undefined ? '' : ` (data-parallel rank ${settings.data_parallel_rank})`;
  Logger.log(`HTTP listening on ${settings.host}:${address.port}${rank}`, 'Bootstrap');
  const grpcPort = settings.grpc_port === -1 ? undefined : await startGrpcServer(app, settings);

  const lifecycle = app.get(LifecycleService);
  let closing: Promise<boolean> | undefined;
  return {
    app,
    url,
    port: address.port,
    grpcPort,
    shutdown: (graceMs = settings.shutdown_grace_period * 1000) =>
      (closing ??= (async () => {
        const clean = await lifecycle.drain(graceMs);
        await app.close();
        return clean;
      })()),
  };
}
