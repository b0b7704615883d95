#!/usr/bin/env node
/**
 * `npm start [-- flags]`: compiles src/ to dist/ only when a source is newer than the last build
 * (checking takes milliseconds), then runs the server in this process with the given flags.
 */
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, rmSync, statSync } = require('node:fs');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');
const MAIN = join(ROOT, 'dist', 'main.js');

/** Newest modification time (ms) of what the build reads: src/**\/*.ts (not the specs) and the tsconfigs. */
function newestSource() {
  let newest = 0;
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  walk(join(ROOT, 'src'));
  for (const file of ['tsconfig.json', 'tsconfig.build.json']) newest = Math.max(newest, statSync(join(ROOT, file)).mtimeMs);
  return newest;
}

if (!existsSync(MAIN) || statSync(MAIN).mtimeMs < newestSource()) {
  process.stderr.write('vllm-simulator: compiling (the sources changed since the last build)...\n');
  // What `npm run build` runs: tsc, then the compact tokenizer vocabularies.
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  const steps = [[tsc, '-p', join(ROOT, 'tsconfig.build.json')], [join(ROOT, 'dist', 'modules', 'tokenizer', 'build-vocabularies.js')]];
  for (const args of steps) {
    const { status } = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
    if (status !== 0) {
      // tsc emits even with type errors: drop the entry point so no later start runs a broken build.
      rmSync(MAIN, { force: true });
      process.exit(status ?? 1);
    }
  }
}
require(MAIN);
