import { EngineEvents } from './engine.types';

type Listener<K extends keyof EngineEvents> = (payload: EngineEvents[K]) => void;

/**
 * Typed event bus for engine-wide observers (metrics, request log, KV events, status). A listener
 * that throws is reported and skipped: an observer's bug must not stop the engine or the other
 * observers.
 */
export class EngineEventBus {
  private readonly listeners: { [K in keyof EngineEvents]?: readonly Listener<K>[] } = {};

  constructor(private readonly onListenerError: (err: unknown, event: string) => void) {}

  on<K extends keyof EngineEvents>(event: K, listener: Listener<K>): () => void {
    // Copy on write, so a listener may unsubscribe while an emit iterates.
    this.listeners[event] = [...(this.listeners[event] ?? []), listener] as never;
    return () => {
      this.listeners[event] = (this.listeners[event] ?? []).filter((l) => l !== listener) as never;
    };
  }

  /** Whether anyone listens to `event`: an emitter may skip building a payload nobody reads. */
  has<K extends keyof EngineEvents>(event: K): boolean {
    return (this.listeners[event]?.length ?? 0) > 0;
  }

  emit<K extends keyof EngineEvents>(event: K, payload: EngineEvents[K]): void {
    const listeners = this.listeners[event] as readonly Listener<K>[] | undefined;
    if (!listeners) return;
    for (const listener of listeners) {
      try {
        listener(payload);
      } catch (err) {
        this.onListenerError(err, event);
      }
    }
  }
}
