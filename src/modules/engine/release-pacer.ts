import { Millis } from './clock';

/** Steps measured for the release burst, and the fewest tokens a step must hand out to be measured. */
const RELEASE_SAMPLES = 15;
const RELEASE_SAMPLE_MIN_TOKENS = 4;

/** Per token: handing it to its door (render a chunk) and the doors' flush on `released` (write it). */
interface ReleaseSample {
  handOut: Millis;
  flush: Millis;
}

/**
 * How early to start handing out a step's tokens so the doors' writes are centred on the step's
 * end. The doors take them one after the other: they render a chunk for each, then write them all
 * on `released` (a socket write each, ~10-20 µs on a small VM), so 256 streams take milliseconds.
 * Starting early enough puts every token within half a write burst of its scheduled time, and
 * every stream keeps its place, so inter-token times are unchanged. The events still carry the
 * scheduled time. Zero on the virtual clock, where handing out takes no time.
 */
export class ReleasePacer {
  /** Wall time per token the doors took in recent large steps. */
  private readonly samples: ReleaseSample[] = [];
  /** Time per token to lead by, from the samples' medians; kept up to date as samples come. */
  private perToken = 0;
  /** Scratch space for the medians (a step must not allocate for its own bookkeeping). */
  private readonly scratch = new Float64Array(RELEASE_SAMPLES);

  /** The lead for a step handing out `tokens` tokens and lasting `stepMs`: never earlier than its middle. */
  lead(tokens: number, stepMs: Millis): Millis {
    return this.perToken === 0 ? 0 : Math.min(stepMs / 2, tokens * this.perToken);
  }

  /** Records how long a step's hand-out and flush took. */
  measured(tokens: number, handOutMs: Millis, flushMs: Millis): void {
    // Small steps are dominated by fixed costs (and their burst is short anyway); a hand-out that
    // took no time (the virtual clock) has nothing to lead by.
    if (tokens < RELEASE_SAMPLE_MIN_TOKENS || (handOutMs === 0 && flushMs === 0)) return;
    this.samples.push({ handOut: handOutMs / tokens, flush: flushMs / tokens });
    if (this.samples.length > RELEASE_SAMPLES) this.samples.shift();
    // Medians shrug off a step stretched by a GC pause.
    this.perToken = this.median('handOut') + this.median('flush') / 2;
  }

  /** The median of one field of the samples (the upper one of an even count). */
  private median(field: keyof ReleaseSample): number {
    const n = this.samples.length;
    const values = this.scratch;
    for (let i = 0; i < n; i++) {
      // Insertion sort: at most RELEASE_SAMPLES values.
      const v = this.samples[i][field];
      let j = i;
      for (; j > 0 && values[j - 1] > v; j--) values[j] = values[j - 1];
      values[j] = v;
    }
    return values[n >> 1];
  }
}
