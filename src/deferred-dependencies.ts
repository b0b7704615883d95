import Module, { createRequire } from 'node:module';

/**
 * Modules that a dependency requires when it loads but calls only from a feature the simulator does
 * not use, replaced until first use by a stand-in that loads them then. class-validator's index
 * requires libphonenumber-js with its full metadata for `IsPhoneNumber`, which no DTO uses; loading
 * it costs start-up a few percent of its CPU time. Only the server's entry point (main.ts) does
 * this, before anything requires class-validator.
 */
export function deferUnusedDependencies(): void {
  const fromClassValidator = createRequire(require.resolve('class-validator'));
  deferUntilUsed(fromClassValidator.resolve('libphonenumber-js/max'));
}

/** Node's module cache, keyed by resolved file name. */
const moduleCache = (Module as unknown as { _cache: Record<string, Module | undefined> })._cache;

/**
 * Puts a stand-in for the module at `filename` in the cache: reading any of its exports (the only
 * thing the requiring code does with them) loads the real module, once, and reads it there.
 */
function deferUntilUsed(filename: string): void {
  if (moduleCache[filename]) return;
  let real: Record<PropertyKey, unknown> | undefined;
  const load = (): Record<PropertyKey, unknown> => {
    if (!real) {
      delete moduleCache[filename];
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      real = require(filename) as Record<PropertyKey, unknown>;
    }
    return real;
  };
  const standIn = new Module(filename);
  standIn.filename = filename;
  standIn.loaded = true;
  standIn.exports = new Proxy({}, { get: (_target, key) => load()[key], has: (_target, key) => key in load() });
  moduleCache[filename] = standIn;
}
