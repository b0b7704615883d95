import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import { writeFileAtomic } from './atomic-file';
import { DirectoryWatcher } from './directory-watcher';
import {
  PatternConflictError,
  PatternError,
  PatternNotFoundError,
  PatternPersistError,
  PatternPreconditionError,
  PatternValidationError,
  ResponsesFileError,
} from './pattern-errors';
import { PatternMatcher } from './pattern-matcher';
import { applyOverlay, overlayBetween } from './pattern-overlay';
import { parsePatternsYaml, validatePattern, validatePatternsDocument, validatePatternsOverlay } from './pattern-schema';
import { PatternDefinition, PatternsDocument, PatternsOverlay } from './responses.types';
import { patchYamlText } from './yaml-patch';

/** `GET /admin/patterns`: the active document and its ETag. */
export interface PatternsSnapshot extends PatternsDocument {
  etag: string;
}

export interface ReloadResult {
  ok: boolean;
  error?: string;
  /** ISO time of the attempt. */
  at: string;
}

/** What a debounced look at the file found (own writes and touches are `unchanged`). */
export type FileCheckOutcome = 'unchanged' | 'reloaded' | 'failed';

export interface ResponsesFileStatus {
  path: string;
  /** Where admin edits are written, when they go to an overlay instead of `path`; else null. */
  overlayPath: string | null;
  /** When the active patterns were loaded (from the file or an admin write), ISO time. */
  loadedAt: string;
  patternCount: number;
  /** The last failed reload, cleared by the next successful one. */
  lastError: { message: string; at: string } | null;
  reloads: number;
  failedReloads: number;
  etag: string;
  watching: boolean;
}

export interface PatternStoreOptions {
  path: string;
  /** Admin edits go to this file (an overlay on `path`) instead of `path` itself. */
  overlayPath?: string;
  debounceMs?: number;
  logger?: Pick<Logger, 'log' | 'warn' | 'error'>;
}

type Listener<T extends unknown[]> = (...args: T) => void;

const NEW_FILE_HEADER = ' Patterns for vllm-simulator (see docs/patterns.md), written by the admin API (/admin/patterns).';
const NEW_OVERLAY_HEADER =
  ' Admin edits (/admin/patterns) on top of the responses file (see docs/patterns.md, "Overlay file").\n' +
  ' patterns: added, or replacing the base patterns of the same name; removed: base patterns deleted.';

/**
 * The responses file and the patterns it holds: loads it, follows edits (hot reload), and applies
 * admin writes. Every file operation (debounced reload, write) runs on one promise queue, so
 * concurrent writes are serialised (none is lost) and a reload never interleaves with a write.
 * The watcher compares the content it reads with the last content loaded or written (hash), so
 * the store's own write is not mistaken for a foreign edit and never reloaded again.
 *
 * Writes keep the file's comments and layout: only the nodes that changed are replaced
 * (yaml-patch.ts). With an overlay file, the responses file is only read: admin edits are
 * written to the overlay, and the patterns in effect are the file's with the overlay applied.
 */
export class PatternStore implements OnModuleDestroy {
  readonly path: string;
  readonly overlayPath: string | null;
  private readonly logger: Pick<Logger, 'log' | 'warn' | 'error'>;
  private readonly watchers: DirectoryWatcher[];
  /** The responses file's own patterns (without the overlay). */
  private base: PatternsDocument | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  private active: PatternMatcher | null = null;
  private currentEtag = '';
  /** Hash of the file content last seen (loaded, written, or rejected); null = file missing/unknown. */
  private fileHash: string | null = null;
  private loadedAt = new Date(0);
  private lastError: { message: string; at: string } | null = null;
  private reloads = 0;
  private failedReloads = 0;

  private readonly reloadListeners = new Set<Listener<[ReloadResult]>>();
  private readonly changeListeners = new Set<Listener<[PatternsDocument, PatternsDocument | null]>>();
  private readonly checkListeners = new Set<Listener<[FileCheckOutcome]>>();

  constructor(options: PatternStoreOptions) {
    this.path = options.path;
    this.overlayPath = options.overlayPath ?? null;
    this.logger = options.logger ?? new Logger('Responses');
    this.watchers = [this.path, ...(this.overlayPath ? [this.overlayPath] : [])].map(
      (file) =>
        new DirectoryWatcher(
          file,
          () => void this.enqueue(() => this.checkFile(false)).catch(() => undefined),
          (err) => this.logger.error(`watching ${file} failed: ${err.message}`),
          options.debounceMs ?? 100,
        ),
    );
  }

  /** The file admin writes go to. */
  private get target(): string {
    return this.overlayPath ?? this.path;
  }

  // ---- loading and watching ----

  /** First load at start-up; throws ResponsesFileError (start-up stops) when the file is unusable. */
  loadInitial(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new ResponsesFileError(this.path, code === 'ENOENT' ? 'file not found' : errorMessage(err));
    }
    let base: PatternsDocument;
    try {
      base = validatePatternsDocument(parsePatternsYaml(text));
    } catch (err) {
      throw new ResponsesFileError(this.path, errorMessage(err));
    }
    let overlayText = '';
    let overlay: PatternsOverlay = {};
    if (this.overlayPath) {
      try {
        // The overlay is where edits go: its folder is made if missing (watching needs it too).
        mkdirSync(dirname(this.overlayPath), { recursive: true });
        overlayText = readFileSync(this.overlayPath, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new ResponsesFileError(this.overlayPath, errorMessage(err));
      }
      try {
        overlay = parseOverlay(overlayText);
      } catch (err) {
        throw new ResponsesFileError(this.overlayPath, errorMessage(err));
      }
    }
    try {
      this.apply(base, this.merged(base, overlay), hash(text, overlayText));
    } catch (err) {
      throw new ResponsesFileError(this.overlayPath ?? this.path, errorMessage(err));
    }
    this.logger.log(`loaded ${this.patternCount} patterns from ${this.path}${this.overlayPath ? ` with the overlay ${this.overlayPath}` : ''}`);
  }

  /** Starts following edits of the file (in place, rename-replace, ConfigMap swaps). */
  startWatching(): void {
    for (const watcher of this.watchers) watcher.start();
  }

  stopWatching(): void {
    for (const watcher of this.watchers) watcher.stop();
  }

  onModuleDestroy(): void {
    this.stopWatching();
  }

  /** Re-reads the file now, even if its content looks unchanged. */
  reload(): Promise<ReloadResult> {
    return this.enqueue(async () => {
      const outcome = await this.checkFile(true, true);
      return outcome === 'failed' && this.lastError
        ? { ok: false, error: this.lastError.message, at: this.lastError.at }
        : { ok: true, at: this.loadedAt.toISOString() };
    });
  }

  /** Resolves once no reload is waiting for its debounce delay and the queue is empty. */
  async whenIdle(): Promise<void> {
    while (this.watchers.some((w) => w.pending)) await new Promise((resolve) => setTimeout(resolve, 20));
    let tail: Promise<unknown>;
    do {
      tail = this.queue;
      await tail;
    } while (tail !== this.queue);
  }

  // ---- reading ----

  /** The compiled patterns; swapped whole on a change, so a request keeps the one it read. */
  get matcher(): PatternMatcher {
    if (!this.active) throw new Error('PatternStore: loadInitial() was not called');
    return this.active;
  }

  get document(): PatternsDocument {
    return this.matcher.document;
  }

  get etag(): string {
    return this.currentEtag;
  }

  get patternCount(): number {
    return this.active?.document.patterns.length ?? 0;
  }

  get(): PatternsSnapshot {
    return { ...structuredClone(this.document), etag: this.currentEtag };
  }

  status(): ResponsesFileStatus {
    return {
      path: this.path,
      overlayPath: this.overlayPath,
      loadedAt: this.loadedAt.toISOString(),
      patternCount: this.patternCount,
      lastError: this.lastError,
      reloads: this.reloads,
      failedReloads: this.failedReloads,
      etag: this.currentEtag,
      watching: this.watchers.every((w) => w.active),
    };
  }

  // ---- events ----

  /** Every reload of the file (ok or rejected), e.g. for `vllm_sim:` reload metrics. */
  onReload(listener: (result: ReloadResult) => void): () => void {
    return subscribe(this.reloadListeners, listener);
  }

  /** Every change of the active document (reload or admin write). */
  onChange(listener: (doc: PatternsDocument, previous: PatternsDocument | null) => void): () => void {
    return subscribe(this.changeListeners, listener);
  }

  /** Every debounced look at the file triggered by the watcher (tests, diagnostics). */
  onFileCheck(listener: (outcome: FileCheckOutcome) => void): () => void {
    return subscribe(this.checkListeners, listener);
  }

  // ---- writes (admin API) ----

  /** PUT /admin/patterns. */
  replaceAll(doc: unknown, ifMatch?: string): Promise<PatternsSnapshot> {
    return this.write(ifMatch, () => ({ doc: validatePatternsDocument(doc) }));
  }

  /** POST /admin/patterns: appends; 409 if the name exists. */
  add(pattern: unknown, ifMatch?: string): Promise<PatternsSnapshot> {
    const p = validatePattern(pattern);
    return this.write(ifMatch, (current) => {
      if (current.patterns.some((q) => q.name === p.name)) throw new PatternConflictError(p.name);
      return { doc: { ...current, patterns: [...current.patterns, p] } };
    });
  }

  /**
   * PUT /admin/patterns/{name}: replaces the pattern in place, or appends it (`created`). The body
   * may omit `name`; if it has one, it must be `name`.
   */
  upsert(name: string, pattern: unknown, ifMatch?: string): Promise<PatternsSnapshot & { created: boolean }> {
    const body = isMapping(pattern) && pattern.name === undefined ? { ...pattern, name } : pattern;
    const p = validatePattern(body);
    if (p.name !== name) {
      throw new PatternValidationError([`name: '${p.name}' does not match the pattern being written ('${name}')`], 'invalid pattern');
    }
    let created = false;
    return this.write(ifMatch, (current) => {
      const index = current.patterns.findIndex((q) => q.name === name);
      created = index < 0;
      const patterns = created ? [...current.patterns, p] : current.patterns.map((q, i) => (i === index ? p : q));
      return { doc: { ...current, patterns } };
    }).then((snapshot) => ({ ...snapshot, created }));
  }

  /**
   * PATCH /admin/patterns/{name}: a JSON merge patch (RFC 7396) of one pattern: the fields the
   * body names replace the pattern's (`match` merges key by key, lists are replaced whole, null
   * removes an optional field); the others stay. 404 if absent.
   */
  async patch(name: string, body: unknown, ifMatch?: string): Promise<PatternsSnapshot> {
    if (!isMapping(body)) throw new PatternValidationError(['the patch must be a mapping of the fields to change'], 'invalid pattern');
    if (body.name !== undefined && body.name !== name) {
      throw new PatternValidationError([`name: '${String(body.name)}' does not match the pattern being patched ('${name}')`], 'invalid pattern');
    }
    return this.write(ifMatch, (current) => {
      const index = current.patterns.findIndex((q) => q.name === name);
      if (index < 0) throw new PatternNotFoundError(name);
      const next = validatePattern(mergePatch(current.patterns[index], body));
      return { doc: { ...current, patterns: current.patterns.map((q, i) => (i === index ? next : q)) } };
    });
  }

  /** DELETE /admin/patterns/{name}: 404 if absent. */
  remove(name: string, ifMatch?: string): Promise<PatternsSnapshot> {
    return this.write(ifMatch, (current) => {
      if (!current.patterns.some((q) => q.name === name)) throw new PatternNotFoundError(name);
      return { doc: { ...current, patterns: current.patterns.filter((q) => q.name !== name) } };
    });
  }

  // ---- internals ----

  private write(ifMatch: string | undefined, change: (current: PatternsDocument) => { doc: PatternsDocument }): Promise<PatternsSnapshot> {
    return this.enqueue(async () => {
      // A foreign edit whose debounce has not fired yet must not be overwritten unseen.
      await this.checkFile(false, true);
      if (ifMatch !== undefined && !etagMatches(ifMatch, this.currentEtag)) {
        throw new PatternPreconditionError(ifMatch, this.currentEtag);
      }
      const next = validatePatternsDocument(change(structuredClone(this.document)).doc);
      const base = this.base!;
      const current = await readOptional(this.target);
      const data = this.overlayPath ? overlayBetween(base, next) : next;
      const text = patchYamlText(current, data as Record<string, unknown>, this.overlayPath ? NEW_OVERLAY_HEADER : NEW_FILE_HEADER);
      try {
        await writeFileAtomic(this.target, text);
      } catch (err) {
        throw new PatternPersistError(this.target, err);
      }
      const baseText = this.overlayPath ? ((await readOptional(this.path)) ?? '') : text;
      this.apply(this.overlayPath ? base : next, next, hash(baseText, this.overlayPath ? text : ''));
      this.logger.log(`patterns written to ${this.target} (${next.patterns.length} patterns in effect)`);
      return this.get();
    });
  }

  /** Reads the file; reloads it if it differs from what was last loaded or written. */
  private async checkFile(force: boolean, quiet = false): Promise<FileCheckOutcome> {
    const outcome = await this.readAndApply(force);
    if (!quiet) for (const listener of this.checkListeners) listener(outcome);
    return outcome;
  }

  private async readAndApply(force: boolean): Promise<FileCheckOutcome> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      if (missing && this.fileHash === null && !force) return 'unchanged';
      this.fileHash = null;
      this.reloadFailed(missing ? 'file not found' : errorMessage(err));
      return 'failed';
    }
    let overlayText = '';
    if (this.overlayPath) {
      try {
        overlayText = (await readOptional(this.overlayPath)) ?? '';
      } catch (err) {
        this.reloadFailed(`${this.overlayPath}: ${errorMessage(err)}`);
        return 'failed';
      }
    }
    const contentHash = hash(text, overlayText);
    if (!force && contentHash === this.fileHash) return 'unchanged';
    this.fileHash = contentHash;
    let base: PatternsDocument;
    let doc: PatternsDocument;
    try {
      base = validatePatternsDocument(parsePatternsYaml(text));
    } catch (err) {
      this.reloadFailed(errorMessage(err));
      return 'failed';
    }
    try {
      doc = this.merged(base, parseOverlay(overlayText));
    } catch (err) {
      this.reloadFailed(`${this.overlayPath}: ${errorMessage(err)}`);
      return 'failed';
    }
    this.apply(base, doc, contentHash);
    this.reloads++;
    this.lastError = null;
    this.logger.log(`reloaded ${doc.patterns.length} patterns from ${this.path}${this.overlayPath ? ` and ${this.overlayPath}` : ''}`);
    this.emitReload({ ok: true, at: this.loadedAt.toISOString() });
    return 'reloaded';
  }

  /** The base with the overlay applied, validated as a whole (unique names across both files). */
  private merged(base: PatternsDocument, overlay: PatternsOverlay): PatternsDocument {
    return this.overlayPath ? validatePatternsDocument(applyOverlay(base, overlay)) : base;
  }

  private reloadFailed(message: string): void {
    const at = new Date().toISOString();
    this.failedReloads++;
    this.lastError = { message, at };
    this.logger.error(`reload of ${this.path} rejected, keeping the last good patterns: ${message}`);
    this.emitReload({ ok: false, error: message, at });
  }

  private apply(base: PatternsDocument, doc: PatternsDocument, contentHash: string): void {
    const previous = this.active?.document ?? null;
    this.base = base;
    this.active = new PatternMatcher(doc);
    this.currentEtag = `"${hash(JSON.stringify(doc)).slice(0, 32)}"`;
    this.fileHash = contentHash;
    this.loadedAt = new Date();
    for (const listener of this.changeListeners) listener(doc, previous);
  }

  private emitReload(result: ReloadResult): void {
    for (const listener of this.reloadListeners) {
      try {
        listener(result);
      } catch (err) {
        this.logger.warn(`a reload listener failed: ${errorMessage(err)}`);
      }
    }
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

/** `If-Match` semantics: `*` or one of a comma-separated list of (possibly weak) ETags. */
function etagMatches(ifMatch: string, current: string): boolean {
  const strip = (tag: string) => tag.trim().replace(/^W\//, '');
  return ifMatch.split(',').some((tag) => strip(tag) === '*' || strip(tag) === current || `"${strip(tag)}"` === current);
}

function hash(text: string, overlay = ''): string {
  return createHash('sha256').update(text).update('\u0000').update(overlay).digest('hex');
}

/** A file's text, or null when it does not exist. */
async function readOptional(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
}

function parseOverlay(text: string): PatternsOverlay {
  return text.trim() === '' ? {} : validatePatternsOverlay(parsePatternsYaml(text));
}

/** RFC 7396 JSON merge patch: objects merge key by key, anything else (lists too) replaces, null deletes. */
function mergePatch(target: PatternDefinition, patch: Record<string, unknown>): unknown {
  const merge = (t: unknown, p: unknown): unknown => {
    if (!isMapping(p)) return p;
    const out: Record<string, unknown> = isMapping(t) ? { ...t } : {};
    for (const [k, v] of Object.entries(p)) {
      if (v === null) delete out[k];
      else out[k] = merge(out[k], v);
    }
    return out;
  };
  return merge(target, patch);
}

function errorMessage(err: unknown): string {
  return err instanceof PatternError || err instanceof Error ? err.message : String(err);
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function subscribe<T extends unknown[]>(set: Set<Listener<T>>, listener: Listener<T>): () => void {
  set.add(listener);
  return () => set.delete(listener);
}
