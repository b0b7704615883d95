import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { RuntimeConfig } from '../../config/runtime-config';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { Engines } from '../engine/engines';

/** vLLM's sleep levels: 0 pauses scheduling, 1 also offloads the weights and drops the KV cache, 2 discards both. */
export type SleepLevel = 0 | 1 | 2;
/** What happens to requests in flight when the engine goes to sleep (vLLM's PauseMode). */
export type SleepMode = 'abort' | 'wait' | 'keep';
/** What wake_up restores; all of them by default. */
export const WAKE_TAGS = ['weights', 'kv_cache', 'scheduling'] as const;
export type WakeTag = (typeof WAKE_TAGS)[number];

/** `vllm:engine_sleep_state` as vLLM's record_sleep_state sets it. */
export interface SleepState {
  sleeping: boolean;
  level: SleepLevel;
}

type Listener = (state: SleepState) => void;

/**
 * vLLM's sleep mode (--enable-sleep-mode): `sleep(level, mode)` pauses the engine's scheduling
 * (requests that arrive meanwhile queue), drops the prefix cache from level 1, and aborts, waits
 * for or keeps the requests in flight; `wakeUp(tags)` restores what the tags name, the weights
 * taking their size over `--sleep-reload-gbps` (scaled like every simulated delay), and resumes
 * scheduling once everything is back. Observers (metrics) follow the state through onChange.
 */
@Injectable()
export class SleepService implements OnModuleDestroy {
  private readonly logger = new Logger('Sleep');
  private state: SleepState = { sleeping: false, level: 0 };
  /** What is still asleep (all tags while sleeping, none awake). */
  private asleep = new Set<WakeTag>();
  private readonly listeners = new Set<Listener>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly engines: Engines,
    private readonly runtime: RuntimeConfig,
    @Inject(SETTINGS) private readonly settings: Settings,
  ) {}

  get sleeping(): boolean {
    return this.state.sleeping;
  }

  get current(): SleepState {
    return { ...this.state };
  }

  onChange(fn: Listener): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  async sleep(level: SleepLevel, mode: SleepMode): Promise<void> {
    this.requireEnabled();
    if (mode === 'wait') await this.idle();
    // Every served model's engine sleeps (vLLM serves one).
    for (const { engine } of this.engines.all) {
      if (mode === 'abort') engine.abortAll();
      engine.pause();
      // vLLM resets the prefix cache before it sleeps; requests kept in place hold their blocks.
      if (level >= 1) engine.resetPrefixCache();
    }
    this.asleep = new Set(WAKE_TAGS);
    this.set({ sleeping: true, level });
    this.logger.log(`Sleeping (level ${level}, ${mode})`);
  }

  /** Wakes what `tags` name (all when empty); answers once the weights are back. */
  async wakeUp(tags: readonly string[]): Promise<void> {
    this.requireEnabled();
    const unknown = tags.filter((t) => !(WAKE_TAGS as readonly string[]).includes(t));
    if (unknown.length > 0) throw ApiError.badRequest(`Unknown wake-up tags: ${unknown.join(', ')}. Known: ${WAKE_TAGS.join(', ')}.`, 'tags');
    const waking = tags.length === 0 ? [...WAKE_TAGS] : (tags as WakeTag[]);
    if (waking.includes('weights') && this.asleep.has('weights')) await this.delay(this.reloadMs());
    for (const tag of waking) this.asleep.delete(tag);
    if (this.state.sleeping && this.asleep.size === 0) {
      for (const { engine } of this.engines.all) engine.resume();
      this.set({ sleeping: false, level: 0 });
      this.logger.log('Awake');
    }
  }

  /**
   * Time (ms, before the latency scale) to copy each GPU's weights back: its share over the reload
   * bandwidth; with several models, the largest share (their GPUs copy in parallel).
   */
  reloadMs(): number {
    const bytes = Math.max(0, ...this.engines.all.map(({ profile }) => profile.weightsBytesPerGpu ?? 0));
    return (bytes / (this.settings.sleep_reload_gbps * 1e9)) * 1000;
  }

  onModuleDestroy(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private requireEnabled(): void {
    if (!this.settings.enable_sleep_mode) throw ApiError.badRequest('Sleep mode is not enabled in the model config. Start the server with --enable-sleep-mode.');
  }

  private idle(): Promise<void> {
    return new Promise((resolve) => {
      const check = (): void => {
        if (this.engines.all.every(({ engine }) => engine.inFlight === 0)) return resolve();
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          check();
        }, 10);
        this.timers.add(timer);
      };
      check();
    });
  }

  private delay(ms: number): Promise<void> {
    const scaled = ms * this.runtime.values.latency_scale;
    if (scaled <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, scaled);
      this.timers.add(timer);
    });
  }

  private set(state: SleepState): void {
    this.state = state;
    for (const listener of this.listeners) listener({ ...state });
  }
}
