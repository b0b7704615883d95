import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { Engines } from '../engine/engines';
import { ServerLoad } from './server-load';

export type LifecycleState = 'starting' | 'ready' | 'draining' | 'stopped';

type Listener = (state: LifecycleState) => void;

/**
 * Readiness as Kubernetes and vLLM's /health see it: not ready during the simulated model loading
 * (`--startup-duration`), ready after, not ready again from the first moment of a drain.
 */
@Injectable()
export class LifecycleService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Lifecycle');
  private current: LifecycleState = 'starting';
  private readonly listeners = new Set<Listener>();
  private startupTimer?: NodeJS.Timeout;
  readonly startedAt = Date.now();

  constructor(
    @Inject(SETTINGS) private readonly settings: Settings,
    private readonly engines: Engines,
    private readonly load: ServerLoad,
  ) {}

  get state(): LifecycleState {
    return this.current;
  }

  get ready(): boolean {
    return this.current === 'ready';
  }

  get draining(): boolean {
    return this.current === 'draining' || this.current === 'stopped';
  }

  onApplicationBootstrap(): void {
    const ms = this.settings.startup_duration * 1000;
    if (ms <= 0) return this.set('ready');
    this.logger.log(`Simulating model loading for ${this.settings.startup_duration}s: not ready until then`);
    this.startupTimer = setTimeout(() => this.current === 'starting' && this.set('ready'), ms);
  }

  onModuleDestroy(): void {
    clearTimeout(this.startupTimer);
  }

  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Stops taking work and waits for requests in flight, at most `graceMs`; then aborts what is left.
   * Resolves true when everything finished on its own.
   */
  async drain(graceMs: number): Promise<boolean> {
    if (!this.draining) this.set('draining');
    const deadline = Date.now() + graceMs;
    // The doors' count covers requests the engine has not seen yet (held by a `timeout` fault).
    const busy = (): boolean => this.load.requests > 0 || this.engines.all.some(({ engine }) => engine.inFlight > 0);
    while (busy() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    const clean = !busy();
    // Whatever comes after (a request let in just before the drain, still on its way) is refused.
    this.load.cutOff();
    if (!clean) for (const { engine } of this.engines.all) engine.abortAll();
    this.set('stopped');
    return clean;
  }

  private set(state: LifecycleState): void {
    this.current = state;
    this.logger.log(`State: ${state}`);
    for (const listener of this.listeners) listener(state);
  }
}
