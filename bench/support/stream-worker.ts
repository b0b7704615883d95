/**
 * The streaming clients of bench/timing-precision.ts, off the server's thread (as real clients
 * would be): a worker thread, or a child process (job in TIMING_JOB, results over IPC). Timestamps
 * are on the absolute clock (timeOrigin + now) that both sides share.
 *
 * Each stream is a raw keep-alive-free HTTP/1.1 socket that timestamps every SSE event as its end
 * arrives and recognises a token chunk by its `"delta":{"content":` without parsing the JSON: 256
 * streams at ~100 tokens/s each are 25k chunks a second, and a client that parses them all with
 * fetch and JSON.parse spends most of a core on it, so on a busy machine its own lateness (tokens
 * read in bursts) would be what the bench measures instead of the server's.
 */
import { connect } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { StreamResult } from './sse-client';

interface Job {
  url: string;
  streams: number;
  body: object;
}

const job = (parentPort ? workerData : JSON.parse(process.env.TIMING_JOB ?? '{}')) as Job;
const absolute = (): number => performance.timeOrigin + performance.now();
/** What a token chunk of a chat stream has and no other chunk has (the role chunk opens with `"role"`). */
const TOKEN_DELTA = '"delta":{"content":';

function stream(index: number): Promise<StreamResult> {
  const { hostname, port } = new URL(job.url);
  const body = JSON.stringify({ ...job.body, stream: true, stream_options: { include_usage: true } });
  // The x-request-id becomes the engine's request id, so each chunk is matched to its scheduled time.
  const request =
    `POST /v1/chat/completions HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\n` +
    `x-request-id: timing-${index}\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  return new Promise((resolve) => {
    const result: StreamResult = { sentAt: absolute(), contentAt: [] };
    const socket = connect(Number(port), hostname);
    socket.setNoDelay(true);
    let pending = '';
    let headers = true;
    socket.on('data', (bytes: Buffer) => {
      const at = absolute();
      pending += bytes.toString('latin1');
      if (headers) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const status = pending.slice(9, 12);
        if (status !== '200') result.error = `HTTP ${status}`;
        pending = pending.slice(end + 4);
        headers = false;
      }
      // Chunked framing (size lines) never contains "\n\n"; every event ends with it.
      for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
        const event = pending.slice(0, end);
        pending = pending.slice(end + 2);
        if (event.includes(TOKEN_DELTA)) result.contentAt.push(at);
        else if (event.endsWith('data: [DONE]')) result.doneAt = at;
      }
    });
    socket.once('connect', () => socket.write(request));
    socket.once('error', (err) => (result.error = err.message));
    socket.once('close', () => {
      if (!result.error && result.doneAt === undefined) result.error = 'closed before [DONE]';
      resolve(result);
    });
  });
}

void Promise.all(Array.from({ length: job.streams }, (_, i) => stream(i))).then((results: StreamResult[]) => {
  if (parentPort) parentPort.postMessage(results);
  else process.send!(results, () => process.exit(0));
});
