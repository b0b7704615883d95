/** Where the progress bar is drawn (stderr): only `write`. */
export interface ProgressStream {
  write(text: string): unknown;
}

/** Wall time before a bar appears: short runs print nothing. */
const SHOW_AFTER_MS = 1000;
/** Redraws at most this often. */
const REDRAW_MS = 100;
const WIDTH = 30;

/**
 * A one-line progress bar, redrawn in place with `\r`. Nothing is drawn for the first second, so
 * a quick run leaves stderr clean; `done()` erases the line.
 */
export class ProgressBar {
  private readonly started = performance.now();
  private lastDraw = 0;
  private drawn = false;

  constructor(
    private readonly stream: ProgressStream,
    private readonly enabled: boolean,
    private readonly showAfterMs = SHOW_AFTER_MS,
  ) {}

  /** `fraction` of the current task done (0..1), `label` what it is. */
  update(fraction: number, label: string): void {
    if (!this.enabled) return;
    const now = performance.now();
    if (now - this.started < this.showAfterMs || now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const f = Math.max(0, Math.min(1, fraction));
    const filled = Math.round(f * WIDTH);
    const elapsed = ((now - this.started) / 1000).toFixed(1);
    this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${(f * 100).toFixed(0).padStart(3)}% ${label} (${elapsed} s)\x1b[K`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
