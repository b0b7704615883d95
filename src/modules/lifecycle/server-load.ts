import { Injectable } from '@nestjs/common';

/**
 * Generation requests in flight at the doors, from the moment a door lets one in (HTTP:
 * AcceptingWorkGuard; gRPC: Generate) until its response has ended: vLLM's `server_load`
 * (GET /load), counted per request as its `load_aware_call` does, not per choice. It also counts
 * what the engine cannot see yet (a prompt still being encoded, a request a `timeout` fault
 * holds), so a drain waits for those too.
 */
@Injectable()
export class ServerLoad {
  private count = 0;
  private cut = false;
  private readonly cutOffListeners = new Set<() => void>();

  get requests(): number {
    return this.count;
  }

  /** True once the server stopped (its drain ended, cleanly or not): nothing new may reach the engine. */
  get isCutOff(): boolean {
    return this.cut;
  }

  /** Counts one request; the returned function ends it (once, however often it is called). */
  begin(): () => void {
    this.count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count--;
    };
  }

  /**
   * Calls `fn` when the server stops (at once if it has), so a request the engine has not
   * seen yet (held by a `timeout` fault) ends then instead of starting after the shutdown. Returns
   * a function that cancels the call.
   */
  onCutOff(fn: () => void): () => void {
    if (this.cut) {
      fn();
      return () => undefined;
    }
    this.cutOffListeners.add(fn);
    return () => this.cutOffListeners.delete(fn);
  }

  /** The server stops (its drain is over): the engine aborts what it runs, the doors what they hold or let in late. */
  cutOff(): void {
    if (this.cut) return;
    this.cut = true;
    const listeners = [...this.cutOffListeners];
    this.cutOffListeners.clear();
    for (const fn of listeners) fn();
  }
}
