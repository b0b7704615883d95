#!/usr/bin/env node
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const main = join(__dirname, '..', 'dist', 'main.js');
if (!existsSync(main)) {
  // npx vllm-simulator in a fresh checkout: the TypeScript sources are not compiled yet.
  process.stderr.write(
    `vllm-simulator is not built yet (no ${main}).\n` +
      `Run \`npm run build\` in ${join(__dirname, '..')} first, or \`npm start\` there (it builds when the sources changed).\n`,
  );
  process.exit(1);
}
require(main);
