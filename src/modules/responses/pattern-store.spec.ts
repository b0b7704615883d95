import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PatternConflictError, PatternNotFoundError, PatternPreconditionError, PatternValidationError, ResponsesFileError } from './pattern-errors';
import { FileCheckOutcome, PatternStore, ReloadResult } from './pattern-store';
import { parsePatternsYaml, validatePatternsDocument } from './pattern-schema';

const silent = { log() {}, warn() {}, error() {} };

function yamlDoc(names: string[], reply = 'reply'): string {
  const patterns = names
    .map((n) => `  - name: ${n}\n    match:\n      keywords: [${n}]\n    responses:\n      - "${reply} ${n}"\n`)
    .join('');
  return `patterns:\n${patterns}fallback:\n  responses: ["fallback"]\n`;
}

const pattern = (name: string) => ({ name, match: { keywords: [name] }, responses: [`reply ${name}`] });

/** Resolves with the next event of `subscribe`, or fails after `ms`. */
function next<T>(subscribe: (listener: (value: T) => void) => () => void, ms = 3000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no event within ${ms} ms`));
    }, ms);
    const off = subscribe((value) => {
      clearTimeout(timer);
      off();
      resolve(value);
    });
  });
}

describe('PatternStore', () => {
  let dir: string;
  let file: string;
  let store: PatternStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'patterns-'));
    file = join(dir, 'responses.yaml');
    writeFileSync(file, yamlDoc(['alpha', 'beta']));
    store = new PatternStore({ path: file, logger: silent, debounceMs: 50 });
  });

  afterEach(async () => {
    store.stopWatching();
    await store.whenIdle();
    rmSync(dir, { recursive: true, force: true });
  });

  const names = () => store.document.patterns.map((p) => p.name);
  const namesOnDisk = () => validatePatternsDocument(parsePatternsYaml(readFileSync(file, 'utf8'))).patterns.map((p) => p.name);
  const reloaded = () => next<ReloadResult>((l) => store.onReload(l));

  describe('loadInitial', () => {
    it('loads the file', () => {
      store.loadInitial();
      expect(names()).toEqual(['alpha', 'beta']);
      expect(store.status()).toMatchObject({ path: file, patternCount: 2, lastError: null });
    });

    it('throws a ResponsesFileError naming the file and the reason', () => {
      writeFileSync(file, 'patterns: [\n');
      expect(() => store.loadInitial()).toThrow(ResponsesFileError);
      expect(() => store.loadInitial()).toThrow(/responses file .*responses\.yaml: invalid responses file: YAML syntax error/);
      writeFileSync(file, 'patterns: []\nfallback: {responses: []}\n');
      expect(() => store.loadInitial()).toThrow(/fallback\.responses: must contain at least 1 element/);
      rmSync(file);
      expect(() => store.loadInitial()).toThrow(/file not found/);
    });
  });

  describe('hot reload', () => {
    beforeEach(() => {
      store.loadInitial();
      store.startWatching();
    });

    it('applies an in-place edit', async () => {
      const done = reloaded();
      writeFileSync(file, yamlDoc(['alpha', 'beta', 'gamma']));
      await expect(done).resolves.toMatchObject({ ok: true });
      expect(names()).toEqual(['alpha', 'beta', 'gamma']);
      expect(store.status().reloads).toBe(1);
    });

    it('applies an editor-style rename-replace, and later edits are still seen', async () => {
      let done = reloaded();
      writeFileSync(join(dir, 'responses.yaml.swp'), yamlDoc(['one']));
      renameSync(join(dir, 'responses.yaml.swp'), file);
      await expect(done).resolves.toMatchObject({ ok: true });
      expect(names()).toEqual(['one']);

      done = reloaded();
      writeFileSync(file, yamlDoc(['two']));
      await expect(done).resolves.toMatchObject({ ok: true });
      expect(names()).toEqual(['two']);

      done = reloaded();
      writeFileSync(join(dir, 'tmp.yaml'), yamlDoc(['three']));
      renameSync(join(dir, 'tmp.yaml'), file);
      await expect(done).resolves.toMatchObject({ ok: true });
      expect(names()).toEqual(['three']);
    });

    it('keeps the last good patterns on broken YAML and remembers the error', async () => {
      const done = reloaded();
      writeFileSync(file, 'patterns: [\n  - name: x\n');
      const result = await done;
      expect(result.ok).toBe(false);
      expect(result.error).toMatch(/YAML syntax error/);
      expect(names()).toEqual(['alpha', 'beta']);
      expect(store.status()).toMatchObject({ failedReloads: 1, lastError: { message: result.error } });
      expect(Date.parse(store.status().lastError!.at)).toBeGreaterThan(0);

      const fixed = reloaded();
      writeFileSync(file, yamlDoc(['gamma']));
      await expect(fixed).resolves.toMatchObject({ ok: true });
      expect(names()).toEqual(['gamma']);
      expect(store.status().lastError).toBeNull();
    });

    it('rejects a file that fails the schema as a whole', async () => {
      const done = reloaded();
      writeFileSync(file, yamlDoc(['alpha', 'alpha']));
      const result = await done;
      expect(result.ok).toBe(false);
      expect(result.error).toContain("patterns[1].name: duplicate name 'alpha'");
      expect(names()).toEqual(['alpha', 'beta']);
    });

    it('a bad regex is rejected with the pattern name', async () => {
      const done = reloaded();
      writeFileSync(file, yamlDoc(['alpha']).replace('keywords: [alpha]', "regex: ['(?!x)y']"));
      const result = await done;
      expect(result.error).toMatch(/patterns\[0\]\.match\.regex\[0\]: pattern 'alpha': invalid regex/);
    });

    it('touching the file without changing it does not reload', async () => {
      const check = next<FileCheckOutcome>((l) => store.onFileCheck(l));
      writeFileSync(file, readFileSync(file, 'utf8'));
      await expect(check).resolves.toBe('unchanged');
      expect(store.status().reloads).toBe(0);
    });

    it('stops following edits after stopWatching', async () => {
      store.stopWatching();
      expect(store.status().watching).toBe(false);
      writeFileSync(file, yamlDoc(['late']));
      await store.whenIdle();
      expect(names()).toEqual(['alpha', 'beta']);
    });
  });

  describe('writes', () => {
    beforeEach(() => store.loadInitial());

    it('get() returns the document and an ETag that changes with it', async () => {
      const before = store.get();
      expect(before.patterns.map((p) => p.name)).toEqual(['alpha', 'beta']);
      expect(before.etag).toMatch(/^"[0-9a-f]{32}"$/);
      const after = await store.add(pattern('gamma'));
      expect(after.etag).not.toBe(before.etag);
      expect(store.get().etag).toBe(after.etag);
    });

    it('add appends and persists; 409 if the name exists', async () => {
      await store.add(pattern('gamma'));
      expect(names()).toEqual(['alpha', 'beta', 'gamma']);
      expect(namesOnDisk()).toEqual(['alpha', 'beta', 'gamma']);
      await expect(store.add(pattern('alpha'))).rejects.toBeInstanceOf(PatternConflictError);
      await expect(store.add(pattern('alpha'))).rejects.toMatchObject({ status: 409 });
    });

    it('add validates the pattern (400) and changes nothing', async () => {
      const etag = store.etag;
      const bad = { name: 'x', match: { regex: ['(?<=a)'] }, responses: ['r'] };
      await expect(Promise.resolve().then(() => store.add(bad))).rejects.toBeInstanceOf(PatternValidationError);
      await expect(Promise.resolve().then(() => store.add({ name: 'x', match: {}, responses: ['r'] }))).rejects.toMatchObject({ status: 400 });
      expect(store.etag).toBe(etag);
    });

    it('upsert replaces in place or appends', async () => {
      const updated = await store.upsert('alpha', { match: { keywords: ['a'] }, responses: ['new'] });
      expect(updated.created).toBe(false);
      expect(store.document.patterns[0]).toEqual({ name: 'alpha', match: { keywords: ['a'] }, responses: ['new'] });
      const created = await store.upsert('zeta', pattern('zeta'));
      expect(created.created).toBe(true);
      expect(names()).toEqual(['alpha', 'beta', 'zeta']);
      expect(() => store.upsert('zeta', pattern('other'))).toThrow(PatternValidationError);
    });

    it('remove deletes; 404 if absent', async () => {
      await store.remove('alpha');
      expect(names()).toEqual(['beta']);
      await expect(store.remove('alpha')).rejects.toBeInstanceOf(PatternNotFoundError);
      await expect(store.remove('alpha')).rejects.toMatchObject({ status: 404 });
    });

    it('replaceAll validates the whole document', async () => {
      await store.replaceAll({ mode: 'echo', patterns: [pattern('only')], fallback: { responses: ['f'] } });
      expect(store.document).toMatchObject({ mode: 'echo', patterns: [{ name: 'only' }] });
      await expect(store.replaceAll({ patterns: [] })).rejects.toMatchObject({ status: 400, message: expect.stringContaining('fallback') });
    });

    it('a stale If-Match answers 412 and changes nothing; the current one and * succeed', async () => {
      const { etag } = store.get();
      await store.add(pattern('gamma'), etag);
      await expect(store.add(pattern('delta'), etag)).rejects.toBeInstanceOf(PatternPreconditionError);
      await expect(store.remove('gamma', etag)).rejects.toMatchObject({ status: 412 });
      expect(names()).toEqual(['alpha', 'beta', 'gamma']);
      await store.remove('gamma', store.etag);
      await store.add(pattern('delta'), '*');
      expect(names()).toEqual(['alpha', 'beta', 'delta']);
    });

    it('serialises 25 concurrent writes: none is lost', async () => {
      const adds = Array.from({ length: 25 }, (_, i) => store.add(pattern(`p${i}`)));
      const upserts = Array.from({ length: 5 }, (_, i) => store.upsert(`u${i}`, pattern(`u${i}`)));
      await Promise.all([...adds, ...upserts, store.remove('alpha')]);
      const expected = ['beta', ...Array.from({ length: 25 }, (_, i) => `p${i}`), ...Array.from({ length: 5 }, (_, i) => `u${i}`)];
      expect(names()).toEqual(expected);
      expect(namesOnDisk()).toEqual(expected);
    });

    it('leaves no temporary files behind', async () => {
      await Promise.all(Array.from({ length: 10 }, (_, i) => store.add(pattern(`p${i}`))));
      await expect(store.add(pattern('p1'))).rejects.toBeInstanceOf(PatternConflictError);
      expect(readdirSync(dir)).toEqual(['responses.yaml']);
    });

    it('the watcher does not reload the store\'s own write', async () => {
      store.startWatching();
      const reloads: ReloadResult[] = [];
      store.onReload((r) => reloads.push(r));
      const check = next<FileCheckOutcome>((l) => store.onFileCheck(l));
      await store.add(pattern('gamma'));
      await expect(check).resolves.toBe('unchanged');
      await store.whenIdle();
      expect(reloads).toEqual([]);
      expect(names()).toEqual(['alpha', 'beta', 'gamma']);

      // and a foreign edit after it is still picked up
      const done = reloaded();
      writeFileSync(file, yamlDoc(['foreign']));
      await expect(done).resolves.toMatchObject({ ok: true });
      expect(names()).toEqual(['foreign']);
    });

    it('a foreign edit not yet reloaded is seen before a write (not overwritten, ETag stale)', async () => {
      const { etag } = store.get();
      writeFileSync(file, yamlDoc(['foreign']));
      await expect(store.add(pattern('gamma'), etag)).rejects.toBeInstanceOf(PatternPreconditionError);
      expect(names()).toEqual(['foreign']);
      await store.add(pattern('gamma'));
      expect(names()).toEqual(['foreign', 'gamma']);
    });

    it('tells change listeners about writes', async () => {
      const change = next<unknown>((l) => store.onChange((doc) => l(doc)));
      await store.add(pattern('gamma'));
      await expect(change).resolves.toMatchObject({ patterns: expect.arrayContaining([expect.objectContaining({ name: 'gamma' })]) });
    });
  });

  describe('writes keep the file as it was written', () => {
    const COMMENTED = [
      '# The team\'s patterns: keep this header.',
      'mode: patterns',
      '',
      'patterns:',
      '  # --- greetings ---',
      '  - name: alpha',
      '    priority: 3 # tried early',
      '    match:',
      '      keywords: [alpha, first]',
      '    responses:',
      '      - |',
      '        Alpha reply,',
      '        on two lines.',
      '',
      '  # --- the second one ---',
      '  - name: beta',
      '    match: {keywords: [beta]}',
      '    responses: ["reply beta"]',
      '',
      'fallback:',
      '  responses:',
      '    - "fallback" # the last word',
      '',
    ].join('\n');

    beforeEach(() => {
      writeFileSync(file, COMMENTED);
      store.loadInitial();
    });

    it('upsert changes only the edited pattern: comments, flow style and the other patterns stay', async () => {
      await store.upsert('beta', { match: { keywords: ['beta', 'second'] }, responses: ['reply beta'] });
      const text = readFileSync(file, 'utf8');
      for (const line of COMMENTED.split('\n').filter((l) => l.includes('#') || l.includes('Alpha') || l.includes('keywords: [alpha'))) {
        expect(text).toContain(line);
      }
      expect(text).toContain('match: {keywords: [beta, second]}');
      expect(validatePatternsDocument(parsePatternsYaml(text)).patterns[1].match.keywords).toEqual(['beta', 'second']);
    });

    it('add appends, remove drops only that pattern; the header comment stays', async () => {
      await store.add(pattern('gamma'));
      await store.remove('beta');
      const text = readFileSync(file, 'utf8');
      expect(text.startsWith("# The team's patterns: keep this header.")).toBe(true);
      expect(text).toContain('# --- greetings ---');
      expect(text).toContain('priority: 3 # tried early');
      expect(text).toContain('"fallback" # the last word');
      expect(namesOnDisk()).toEqual(['alpha', 'gamma']);
    });

    it('patch keeps the fields it does not name; null removes an optional one; match merges key by key', async () => {
      await store.patch('alpha', { responses: ['new alpha'], priority: null, match: { regex: ['^a'] } });
      const alpha = store.document.patterns.find((p) => p.name === 'alpha')!;
      expect(alpha).toEqual({ name: 'alpha', match: { keywords: ['alpha', 'first'], regex: ['^a'] }, responses: ['new alpha'] });
      expect(readFileSync(file, 'utf8')).toContain('# --- greetings ---');
      await expect(store.patch('nope', { responses: ['x'] })).rejects.toBeInstanceOf(PatternNotFoundError);
      await expect(store.patch('alpha', { name: 'other' })).rejects.toBeInstanceOf(PatternValidationError);
      await expect(store.patch('alpha', { responses: [] })).rejects.toBeInstanceOf(PatternValidationError);
      // PUT replaces: the fields it leaves out are gone.
      await store.upsert('alpha', { match: { keywords: ['alpha'] }, responses: ['put alpha'] });
      expect(store.document.patterns.find((p) => p.name === 'alpha')).toEqual({ name: 'alpha', match: { keywords: ['alpha'] }, responses: ['put alpha'] });
    });
  });

  describe('with an overlay file', () => {
    let overlay: string;
    beforeEach(() => {
      store.stopWatching();
      overlay = join(dir, 'overlay.yaml');
      store = new PatternStore({ path: file, overlayPath: overlay, logger: silent, debounceMs: 50 });
      store.loadInitial();
    });

    it('admin edits go to the overlay; the responses file is never written', async () => {
      const before = readFileSync(file, 'utf8');
      await store.add(pattern('gamma'));
      await store.upsert('alpha', { match: { keywords: ['alpha'] }, responses: ['overlaid alpha'] });
      await store.remove('beta');
      expect(readFileSync(file, 'utf8')).toBe(before);
      expect(names()).toEqual(['alpha', 'gamma']);
      const written = parsePatternsYaml(readFileSync(overlay, 'utf8')) as Record<string, unknown>;
      expect(written).toEqual({ patterns: [{ name: 'alpha', match: { keywords: ['alpha'] }, responses: ['overlaid alpha'] }, pattern('gamma')], removed: ['beta'] });
      expect(readFileSync(overlay, 'utf8').startsWith('#')).toBe(true);
      expect(store.status().overlayPath).toBe(overlay);
    });

    it('a restart loads both files; an edit of the base file keeps the overlay applied', async () => {
      await store.upsert('alpha', { match: { keywords: ['alpha'] }, responses: ['overlaid alpha'] });
      const restarted = new PatternStore({ path: file, overlayPath: overlay, logger: silent });
      restarted.loadInitial();
      expect(restarted.document.patterns[0].responses).toEqual(['overlaid alpha']);

      store.startWatching();
      const done = reloaded();
      writeFileSync(file, yamlDoc(['alpha', 'beta', 'delta']));
      await expect(done).resolves.toMatchObject({ ok: true });
      expect(names()).toEqual(['alpha', 'beta', 'delta']);
      expect(store.document.patterns[0].responses).toEqual(['overlaid alpha']);
    });

    it('a broken overlay is rejected whole, naming the overlay file', async () => {
      writeFileSync(overlay, 'patterns: [{ name: x }]\n');
      const result = await store.reload();
      expect(result.ok).toBe(false);
      expect(result.error).toContain(overlay);
      expect(names()).toEqual(['alpha', 'beta']);
    });
  });
});
