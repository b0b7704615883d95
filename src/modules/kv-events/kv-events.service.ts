import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { SETTINGS } from '../../config/config.module';
import { KvEventsConfig, offsetEndpoint, resolveKvEventsConfig } from '../../config/kv-events-config';
import { Settings } from '../../config/settings';
import { Engine } from '../engine/engine';
import { ServedModel } from '../models/served-model';
import type { KvEventBatchBuilder } from './kv-event-batch';
import type { ZmqEventPublisher } from './zmq-event-publisher';

/*
 * The publisher (zeromq's native binding) and the batch encoder (msgpack) are required only when
 * KV cache events are enabled: a server without them, the usual case, does not load them at start.
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const publisherModule = () => require('./zmq-event-publisher') as typeof import('./zmq-event-publisher');
const batchModule = () => require('./kv-event-batch') as typeof import('./kv-event-batch');
/* eslint-enable @typescript-eslint/no-require-imports */

/**
 * vLLM's KV cache events: the engine's block events, gathered per engine step into one EventBatch
 * (stamped with wall time and this engine's data-parallel rank) and published over ZeroMQ. An
 * observer: it only subscribes to the engine, and nothing imports it.
 */
@Injectable()
export class KvEventsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('KvEvents');
  private readonly config: KvEventsConfig | null;
  private readonly rank: number;
  private publisher: ZmqEventPublisher | null = null;
  private builder: KvEventBatchBuilder | null = null;
  private encodeEventBatch: typeof import('./kv-event-batch').encodeEventBatch | null = null;
  private flushQueued = false;
  private topic: string | null = null;
  private readonly unsubscribe: Array<() => void> = [];

  constructor(
    private readonly engine: Engine,
    private readonly served: ServedModel,
    private readonly http: HttpAdapterHost,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {
    this.config = resolveKvEventsConfig(settings);
    this.rank = settings.data_parallel_rank ?? 0;
  }

  async onModuleInit(): Promise<void> {
    const config = this.config;
    if (!config) return;
    const endpoint = offsetEndpoint(config.endpoint, this.rank);
    const replayEndpoint = config.replayEndpoint === null ? null : offsetEndpoint(config.replayEndpoint, this.rank);
    const { ZmqEventPublisher } = publisherModule();
    const { KvEventBatchBuilder, encodeEventBatch } = batchModule();
    this.encodeEventBatch = encodeEventBatch;
    this.publisher = new ZmqEventPublisher({ ...config, endpoint, replayEndpoint }, (message, err) =>
      this.logger.error(`${message}: ${err instanceof Error ? err.message : String(err)}`),
    );
    await this.publisher.open();
    this.logger.log(`Publishing KV cache events on ${endpoint}${replayEndpoint ? `, replay on ${replayEndpoint}` : ''} (${config.format} events)`);
    this.builder = new KvEventBatchBuilder(config.intHashes);
    const builder = this.builder;
    const events = this.engine.events;
    this.unsubscribe.push(
      events.on('blockStored', (e) => this.gather(() => builder.stored(e))),
      events.on('blockRemoved', (e) => this.gather(() => builder.removed(e.digest))),
      events.on('cacheCleared', () => this.gather(() => builder.cleared())),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    this.flush();
    await this.publisher?.close();
  }

  /**
   * Events of one engine step come in one synchronous run (the step's end, then the next step's
   * scheduling, which evicts): a flush on the next microtask publishes them as one batch.
   */
  private gather(add: () => void): void {
    add();
    if (this.flushQueued) return;
    this.flushQueued = true;
    queueMicrotask(() => this.flush());
  }

  private flush(): void {
    this.flushQueued = false;
    if (!this.builder || !this.publisher || !this.encodeEventBatch || !this.config || this.builder.size === 0) return;
    const events = this.builder.take();
    this.publisher.publish(this.topicFor(this.config), this.encodeEventBatch(Date.now() / 1000, events, this.rank, this.config.format));
  }

  /** llm-d's topic names the pod by the address its router reaches it on: the port bound, known once the server listens. */
  private topicFor(config: KvEventsConfig): string {
    if (typeof config.topic === 'string') return config.topic;
    if (this.topic) return this.topic;
    const address = this.http.httpAdapter?.getHttpServer()?.address() as AddressInfo | null | undefined;
    const port = address?.port ?? this.settings.port;
    const topic = `kv@${this.settings.pod_ip}:${port}@${this.served.name}`;
    if (address) this.topic = topic;
    return topic;
  }
}
