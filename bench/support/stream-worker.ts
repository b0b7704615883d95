/**
 * The streaming clients of bench/timing-precision.ts, off the server's thread (as real clients
 * would be): a worker thread, or a child process (job in TIMING_JOB, results over IPC). Timestamps
 * are on the absolute clock (timeOrigin + now) that both sides share.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { StreamResult, streamChat } from './sse-client';

interface Job {
  url: string;
  streams: number;
  body: object;
}

const job = (parentPort ? workerData : JSON.parse(process.env.TIMING_JOB ?? '{}')) as Job;
const absolute = (): number => performance.timeOrigin + performance.now();
// The x-request-id becomes the engine's request id, so each chunk is matched to its scheduled time.
void Promise.all(Array.from({ length: job.streams }, (_, i) => streamChat(job.url, job.body, absolute, { 'x-request-id': `timing-${i}` }))).then((results: StreamResult[]) => {
  if (parentPort) parentPort.postMessage(results);
  else process.send!(results, () => process.exit(0));
});
