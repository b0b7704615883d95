import { resolve } from 'node:path';

/** The project folder, from `src/config` (ts-node, Jest) and `dist/config` (built) alike. */
export const PROJECT_ROOT = resolve(__dirname, '..', '..');
