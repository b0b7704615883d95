/** Arrays longer than this are written element by element, letting the event loop turn between slices. */
const LONG_ARRAY = 64;
/** How long (ms) serialization works before it lets the event loop turn. */
const SLICE_MS = 2;

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * JSON.stringify(value) for large plain values (a response body with thousands of logprobs or
 * choices), written in slices so no single turn of the event loop spends more than a few
 * milliseconds on it. Same output as JSON.stringify for plain data (objects, arrays, strings,
 * numbers, booleans, null; undefined properties left out).
 */
export async function stringifySliced(value: unknown): Promise<string> {
  // The common case, a body with no long array, is one JSON.stringify.
  if (!holdsLongArray(value)) return JSON.stringify(value) ?? 'null';
  const parts: string[] = [];
  let sliceStart = performance.now();
  const maybeYield = async (): Promise<void> => {
    if (performance.now() - sliceStart < SLICE_MS) return;
    await nextTurn();
    sliceStart = performance.now();
  };
  const write = async (v: unknown): Promise<void> => {
    if (Array.isArray(v) && holdsLongArray(v)) {
      parts.push('[');
      for (let i = 0; i < v.length; i++) {
        if (i > 0) parts.push(',');
        // JSON.stringify writes null for what it cannot represent in an array.
        const item: unknown = v[i];
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') parts.push('null');
        else await write(item);
        await maybeYield();
      }
      parts.push(']');
      return;
    }
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !hasToJSON(v) && holdsLongArray(v)) {
      parts.push('{');
      let first = true;
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
        first = false;
        await write(item);
      }
      parts.push('}');
      return;
    }
    parts.push(JSON.stringify(v) ?? 'null');
  };
  await write(value);
  return parts.join('');
}

function hasToJSON(v: object): boolean {
  return typeof (v as { toJSON?: unknown }).toJSON === 'function';
}

/** Whether a long array sits anywhere below `v` (worth descending into it by hand). */
function holdsLongArray(v: unknown, depth = 0): boolean {
  if (depth > 8 || typeof v !== 'object' || v === null) return false;
  if (Array.isArray(v)) {
    if (v.length > LONG_ARRAY) return true;
    for (const item of v) if (holdsLongArray(item, depth + 1)) return true;
    return false;
  }
  for (const key in v) if (Object.prototype.hasOwnProperty.call(v, key) && holdsLongArray((v as Record<string, unknown>)[key], depth + 1)) return true;
  return false;
}
