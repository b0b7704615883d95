import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { Module } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { PROJECT_ROOT } from '../../config/paths';
import { Settings } from '../../config/settings';
import { TokenizerModule } from '../tokenizer/tokenizer.module';
import { PatternStore } from './pattern-store';
import { ResponsesService } from './responses.service';

/**
 * A relative RESPONSES_FILE is looked up from the working directory, then from the project folder
 * (so the bundled `config/responses.yaml` is found wherever the simulator is started from).
 */
function resolveResponsesPath(file: string, cwd = process.cwd()): string {
  if (isAbsolute(file)) return file;
  const fromCwd = resolve(cwd, file);
  if (existsSync(fromCwd)) return fromCwd;
  const fromProject = resolve(PROJECT_ROOT, file);
  return existsSync(fromProject) ? fromProject : fromCwd;
}

/** The pattern file (load, validate, hot reload, admin writes) and the replies it gives. */
@Module({
  imports: [TokenizerModule],
  providers: [
    {
      provide: PatternStore,
      inject: [SETTINGS],
      useFactory: (settings: Settings) => {
        const store = new PatternStore({
          path: resolveResponsesPath(settings.responses_file),
          ...(settings.responses_overlay_file ? { overlayPath: resolve(settings.responses_overlay_file) } : {}),
        });
        store.loadInitial(); // throws ResponsesFileError: start-up stops with the reason
        store.startWatching();
        return store;
      },
    },
    ResponsesService,
  ],
  exports: [ResponsesService, PatternStore],
})
export class ResponsesModule {}
