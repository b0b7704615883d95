import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo, connect, Socket } from 'node:net';
import { isResponseOver, onResponseOver } from './response-over';

const REQUEST = 'GET / HTTP/1.1\r\nhost: x\r\n\r\n';

/** A real HTTP server that keeps every request open until the test ends it. */
async function server(): Promise<{ srv: Server; responses: ServerResponse[]; arrived: (n: number) => Promise<void>; connect: () => Promise<Socket> }> {
  const responses: ServerResponse[] = [];
  const waiters: { n: number; ok: () => void }[] = [];
  const srv = createServer((_req: IncomingMessage, res: ServerResponse) => {
    responses.push(res);
    for (const w of waiters.filter((w) => responses.length >= w.n)) w.ok();
  });
  await new Promise<void>((ok) => srv.listen(0, '127.0.0.1', ok));
  const { port } = srv.address() as AddressInfo;
  return {
    srv,
    responses,
    arrived: (n) => (responses.length >= n ? Promise.resolve() : new Promise((ok) => waiters.push({ n, ok }))),
    connect: async () => {
      const socket = connect(port, '127.0.0.1');
      await new Promise((ok) => socket.once('connect', ok));
      return socket;
    },
  };
}

const closed = (socket: Socket): Promise<void> => new Promise((ok) => socket.once('close', () => ok()));

describe('onResponseOver', () => {
  let s: Awaited<ReturnType<typeof server>>;
  beforeEach(async () => {
    s = await server();
  });
  afterEach(() => {
    s.srv.closeAllConnections();
    return new Promise<void>((ok) => s.srv.close(() => ok()));
  });

  it('fires once when the response ends, and not after being cancelled', async () => {
    const socket = await s.connect();
    socket.write(REQUEST + REQUEST);
    await s.arrived(2);
    const [first, second] = s.responses;
    const calls: string[] = [];
    onResponseOver(first, () => calls.push('first'));
    const cancel = onResponseOver(second, () => calls.push('second'));
    cancel();
    const firstClosed = new Promise((ok) => first.once('close', ok));
    first.end('x');
    await firstClosed;
    expect(calls).toEqual(['first']);
    socket.destroy();
    await closed(socket);
    await new Promise((ok) => setImmediate(ok));
    expect(calls).toEqual(['first']);
  });

  it('fires for a pipelined response still waiting its turn when the connection drops', async () => {
    const socket = await s.connect();
    socket.write(REQUEST + REQUEST + REQUEST);
    await s.arrived(3);
    const over: number[] = [];
    s.responses.forEach((res, i) => onResponseOver(res, () => over.push(i)));
    const gone = new Promise((ok) => s.responses[0].req.socket.once('close', ok));
    socket.destroy();
    await gone;
    await new Promise((ok) => setImmediate(ok));
    expect(over.sort()).toEqual([0, 1, 2]);
  });

  it('fires at once when the connection had closed before anyone watched', async () => {
    const socket = await s.connect();
    socket.write(REQUEST);
    await s.arrived(1);
    const res = s.responses[0];
    const gone = new Promise((ok) => res.req.socket.once('close', ok));
    socket.destroy();
    await gone;
    expect(isResponseOver(res)).toBe(true);
    let called = 0;
    onResponseOver(res, () => called++);
    expect(called).toBe(1);
  });
});
