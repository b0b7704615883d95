import { Injectable } from '@nestjs/common';
import { ApiError } from '../api/api-error';
import { LifecycleService } from './lifecycle.service';
import { ServerLoad } from './server-load';

/**
 * The door every inference request passes, HTTP or gRPC: refused with 503 while the server starts
 * or drains; let in, it counts in the server load (`/load`, the drain) until its door ends it, as
 * vLLM's `load_aware_call` wraps a handler.
 */
@Injectable()
export class Admission {
  constructor(
    private readonly lifecycle: LifecycleService,
    private readonly load: ServerLoad,
  ) {}

  /** Lets one request in; the returned function ends it (once, however often it is called). */
  admit(): () => void {
    if (!this.lifecycle.ready) throw ApiError.notServing(this.lifecycle.draining);
    return this.load.begin();
  }

  /** True once the server stopped: a request let in before must not reach the engine any more. */
  get isCutOff(): boolean {
    return this.load.isCutOff;
  }

  /** Calls `fn` when the server stops (at once if it has); returns a function that cancels it. */
  onCutOff(fn: () => void): () => void {
    return this.load.onCutOff(fn);
  }
}
