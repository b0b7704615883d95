import { Injectable, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Engine } from '../engine/engine';
import { SseStream } from './sse';

/** Writes the SSE events of a step as soon as the engine has handed all its tokens out. */
@Injectable()
export class SseRelease implements OnModuleInit, OnModuleDestroy {
  private off: (() => void) | undefined;

  constructor(private readonly engine: Engine) {}

  onModuleInit(): void {
    this.off = this.engine.events.on('released', () => SseStream.flush());
  }

  onModuleDestroy(): void {
    this.off?.();
  }
}
