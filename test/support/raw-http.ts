import { connect, Socket } from 'node:net';

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The whole response as it came off the wire. */
  raw: string;
}

/** Opens a plain TCP connection to the server (for what fetch cannot send: bad framing, slow clients). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      // The server may close while we still write (a refused oversized request): that is an answer, not a test failure.
      socket.on('error', () => undefined);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Everything the server sends on `socket` until it closes the connection. */
export function readUntilClosed(socket: Socket): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    socket.on('data', (d: Buffer) => parts.push(d));
    socket.once('close', () => resolve(Buffer.concat(parts)));
  });
}

/** Splits one HTTP/1.1 response (Content-Length or chunked body) into status, headers and body (UTF-8). */
export function parseResponse(bytes: Buffer): RawResponse {
  const raw = bytes.toString('latin1');
  const split = bytes.indexOf('\r\n\r\n');
  const head = split < 0 ? raw : raw.slice(0, split);
  let bodyBytes = split < 0 ? Buffer.alloc(0) : bytes.subarray(split + 4);
  const [statusLine, ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  if (headers['transfer-encoding'] === 'chunked') bodyBytes = dechunk(bodyBytes);
  else if (headers['content-length'] !== undefined) bodyBytes = bodyBytes.subarray(0, Number(headers['content-length']));
  return { status: Number(statusLine.split(' ')[1]), headers, body: bodyBytes.toString('utf8'), raw };
}

function dechunk(bytes: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  while (at < bytes.length) {
    const eol = bytes.indexOf('\r\n', at);
    if (eol < 0) break;
    const size = parseInt(bytes.subarray(at, eol).toString('latin1'), 16);
    if (!(size > 0)) break;
    out.push(bytes.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/** Sends raw bytes on a fresh connection and returns the first response (the server closes after it, or we stop at `timeoutMs`). */
export async function rawExchange(port: number, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawResponse> {
  const socket = await openSocket(port);
  const done = readUntilClosed(socket);
  socket.write(bytes);
  const timer = setTimeout(() => socket.destroy(), timeoutMs);
  const raw = await done;
  clearTimeout(timer);
  return parseResponse(raw);
}
