import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../../config/paths';

/** Folder of the catalogs and measurements (data/ at the project root). */
export const DATA_DIR = join(PROJECT_ROOT, 'data');

export function readDataFile<T = unknown>(name: string, dir: string = DATA_DIR): T {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as T;
}
