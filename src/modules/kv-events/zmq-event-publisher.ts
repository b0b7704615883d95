import { Publisher, Router } from 'zeromq';
import { bindsEndpoint } from '../../config/kv-events-config';

/** The replay answer's last frame pair: sequence -1 (eight 0xff bytes), empty payload, as vLLM ends a replay. */
const END_SEQ = Buffer.alloc(8, 0xff);

export interface ZmqPublisherOptions {
  endpoint: string;
  replayEndpoint: string | null;
  /** Batches kept for replay. */
  bufferSteps: number;
  hwm: number;
  /** Batches waiting for the socket at most; beyond that a batch is dropped (and counted). */
  maxQueueSize: number;
}

function seqBytes(seq: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(seq));
  return b;
}

/**
 * vLLM's ZmqEventPublisher: a PUB socket sending `[topic, seq (8 bytes big-endian), payload]` for
 * every batch, sequence numbers from 0, and an optional ROUTER socket that answers a replay
 * request `[identity, "", start_seq]` with `[identity, "", seq, payload]` for every buffered batch
 * from that sequence on, then `[identity, "", -1, ""]`. The PUB socket binds wildcard and ipc
 * addresses and connects to any other (a subscriber that binds, as llm-d's indexer does).
 */
export class ZmqEventPublisher {
  private readonly pub = new Publisher();
  private readonly replay: Router | null;
  private readonly buffer: Array<[number, Uint8Array]> = [];
  private nextSeq = 0;
  /** Sends are serialized: a zeromq socket takes one send at a time. */
  private sending: Promise<void> = Promise.resolve();
  private queued = 0;
  private closed = false;
  dropped = 0;

  constructor(
    private readonly options: ZmqPublisherOptions,
    private readonly onError: (message: string, err: unknown) => void,
  ) {
    this.pub.sendHighWaterMark = options.hwm;
    this.pub.linger = 0;
    this.replay = options.replayEndpoint === null ? null : new Router({ linger: 0 });
  }

  /** Binds or connects the sockets; rejects (start-up fails) when an address cannot be bound. */
  async open(): Promise<void> {
    if (bindsEndpoint(this.options.endpoint)) await this.pub.bind(this.options.endpoint);
    else this.pub.connect(this.options.endpoint);
    if (this.replay && this.options.replayEndpoint) {
      await this.replay.bind(this.options.replayEndpoint);
      void this.serveReplays(this.replay);
    }
  }

  /** Publishes one batch under the next sequence number. */
  publish(topic: string, payload: Uint8Array): void {
    if (this.closed) return;
    if (this.queued >= this.options.maxQueueSize) {
      this.dropped++;
      return;
    }
    const seq = this.nextSeq++;
    this.buffer.push([seq, payload]);
    if (this.buffer.length > this.options.bufferSteps) this.buffer.shift();
    this.queued++;
    this.sending = this.sending
      .then(() => (this.closed ? undefined : this.pub.send([topic, seqBytes(seq), payload])))
      .catch((err: unknown) => {
        if (!this.closed) this.onError('A KV event batch could not be published', err);
      })
      .finally(() => this.queued--);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.sending;
    this.pub.close();
    this.replay?.close();
  }

  private async serveReplays(router: Router): Promise<void> {
    try {
      for await (const frames of router) {
        // vLLM ignores anything but [identity, delimiter, start_seq].
        if (frames.length !== 3 || frames[2].length !== 8) continue;
        const [identity, , start] = frames;
        const from = Number(start.readBigUInt64BE());
        for (const [seq, payload] of this.buffer.filter(([s]) => s >= from)) await router.send([identity, '', seqBytes(seq), payload]);
        await router.send([identity, '', END_SEQ, '']);
      }
    } catch (err) {
      if (!this.closed) this.onError('The KV events replay socket failed', err);
    }
  }
}
