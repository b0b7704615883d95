import { ServerResponse } from 'node:http';
import { Socket } from 'node:net';

/**
 * When an HTTP response is over: it ended, or its client is gone. The response's own `close` does
 * not cover every way a client leaves: a pipelined response still queued behind another on its
 * connection never emits it when the connection drops, and a listener attached after the
 * connection closed (a handler that awaited something first) waits forever. The connection's
 * `close` covers both, with one listener per connection however many requests it carries.
 */
const watchers = new WeakMap<ServerResponse, Set<() => void>>();
const openResponses = new WeakMap<Socket, Set<ServerResponse>>();

/** True once the response can no longer reach its client. */
export function isResponseOver(res: ServerResponse): boolean {
  return res.destroyed || res.req.socket.destroyed;
}

/**
 * Calls `fn` once when the response is over; at once if it already is. Returns a function that
 * cancels the call.
 */
export function onResponseOver(res: ServerResponse, fn: () => void): () => void {
  if (isResponseOver(res) && !watchers.has(res)) {
    fn();
    return () => undefined;
  }
  let fns = watchers.get(res);
  if (!fns) {
    fns = new Set();
    watchers.set(res, fns);
    watch(res);
  }
  fns.add(fn);
  const registered = fns;
  return () => registered.delete(fn);
}

function watch(res: ServerResponse): void {
  const socket = res.req.socket;
  let open = openResponses.get(socket);
  if (!open) {
    const responses = new Set<ServerResponse>();
    openResponses.set(socket, responses);
    socket.once('close', () => {
      for (const r of [...responses]) over(r);
    });
    open = responses;
  }
  open.add(res);
  res.once('close', () => over(res));
}

function over(res: ServerResponse): void {
  const fns = watchers.get(res);
  if (!fns) return;
  watchers.delete(res);
  openResponses.get(res.req.socket)?.delete(res);
  for (const fn of fns) fn();
}
