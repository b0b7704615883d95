import 'reflect-metadata';
import { deferUnusedDependencies } from './deferred-dependencies';

// Before the CLI's imports load class-validator (see deferred-dependencies.ts).
deferUnusedDependencies();
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { runCli } = require('./cli') as typeof import('./cli');

void runCli(process.argv.slice(2), process.env);
