import { FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Calls `onChange` (debounced) when the file may have changed. Watches the folder, not the file:
 * on Linux a watch on a file follows its inode, so after an editor's rename-on-save or an atomic
 * replace no further event would arrive. Events for other files are ignored, except Kubernetes
 * ConfigMap swaps (`..data` and friends), where the file is a symlink into a swapped folder.
 */
export class DirectoryWatcher {
  private watcher: FSWatcher | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly name: string;

  constructor(
    private readonly path: string,
    private readonly onChange: () => void,
    private readonly onError: (err: Error) => void,
    private readonly debounceMs = 100,
  ) {
    this.name = basename(path);
  }

  get active(): boolean {
    return this.watcher !== null;
  }

  start(): void {
    if (this.watcher) return;
    this.watcher = watch(dirname(this.path), { persistent: false }, (_event, filename) => {
      const name = filename === null ? null : String(filename);
      if (name === null || name === this.name || name.startsWith('..')) this.schedule();
    });
    this.watcher.on('error', (err) => this.onError(err));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.watcher?.close();
    this.watcher = null;
  }

  /** True while an event waits for its debounce delay. */
  get pending(): boolean {
    return this.timer !== null;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.onChange();
    }, this.debounceMs);
    this.timer.unref();
  }
}
