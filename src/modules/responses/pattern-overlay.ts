import { PatternsDocument, PatternsOverlay } from './responses.types';
import { sameJson } from './yaml-patch';

/** The base document with an overlay's edits applied (see PatternsOverlay). */
export function applyOverlay(base: PatternsDocument, overlay: PatternsOverlay): PatternsDocument {
  const removed = new Set(overlay.removed ?? []);
  const replacing = new Map((overlay.patterns ?? []).map((p) => [p.name, p]));
  const kept = base.patterns.filter((p) => !removed.has(p.name)).map((p) => replacing.get(p.name) ?? p);
  const added = (overlay.patterns ?? []).filter((p) => !base.patterns.some((b) => b.name === p.name));
  const mode = overlay.mode ?? base.mode;
  const structured = overlay.structured_output ?? base.structured_output;
  return {
    ...(mode !== undefined ? { mode } : {}),
    ...(structured !== undefined ? { structured_output: structured } : {}),
    patterns: [...kept, ...added],
    fallback: overlay.fallback ?? base.fallback,
    ...((overlay.reasoning ?? base.reasoning) !== undefined ? { reasoning: overlay.reasoning ?? base.reasoning } : {}),
  };
}

/**
 * The overlay that turns `base` into `next`: the patterns that differ from (or are not in) the base,
 * the base patterns `next` lacks, and the other fields where they differ. Base patterns keep their
 * file order (an overlay cannot reorder them; priorities can).
 */
export function overlayBetween(base: PatternsDocument, next: PatternsDocument): PatternsOverlay {
  const patterns = next.patterns.filter((p) => {
    const original = base.patterns.find((b) => b.name === p.name);
    return !original || !sameJson(original, p);
  });
  const removed = base.patterns.filter((b) => !next.patterns.some((p) => p.name === b.name)).map((b) => b.name);
  return {
    ...(next.mode !== undefined && next.mode !== base.mode ? { mode: next.mode } : {}),
    ...(next.structured_output !== undefined && !sameJson(next.structured_output, base.structured_output) ? { structured_output: next.structured_output } : {}),
    ...(patterns.length > 0 ? { patterns } : {}),
    ...(removed.length > 0 ? { removed } : {}),
    ...(!sameJson(next.fallback, base.fallback) ? { fallback: next.fallback } : {}),
    ...(next.reasoning !== undefined && !sameJson(next.reasoning, base.reasoning) ? { reasoning: next.reasoning } : {}),
  };
}
