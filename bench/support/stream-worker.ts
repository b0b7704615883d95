/**
 * Worker thread of bench/timing-precision.ts: the streaming clients, off the server's thread (as
 * real clients would be), timestamped on the absolute clock (timeOrigin + now) shared by both threads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StreamResult, streamChat } from './sse-client';

interface Job {
  url: string;
  streams: number;
  body: object;
}

const job = workerData as Job;
const absolute = (): number => performance.timeOrigin + performance.now();
// The x-request-id becomes the engine's request id, so each chunk is matched to its scheduled time.
void Promise.all(Array.from({ length: job.streams }, (_, i) => streamChat(job.url, job.body, absolute, { 'x-request-id': `timing-${i}` }))).then((results: StreamResult[]) =>
  parentPort!.postMessage(results),
);
