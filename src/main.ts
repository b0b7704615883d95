import 'reflect-metadata';
import { runCli } from './cli';

void runCli(process.argv.slice(2), process.env);
