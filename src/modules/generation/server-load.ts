import { Injectable } from '@nestjs/common';

/**
 * Generation requests in flight at the doors, from the moment a door takes a validated request
 * until its response has ended: vLLM's `server_load` (GET /load), counted per request as its
 * `load_aware_call` does, not per choice. It also counts what the engine cannot see yet, such as a
 * request a `timeout` fault holds, so a drain waits for those too.
 */
@Injectable()
export class ServerLoad {
  private count = 0;

  get requests(): number {
    return this.count;
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
}
