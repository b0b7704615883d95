import { Document, isMap, isScalar, isSeq, Node, parseDocument, YAMLMap, YAMLSeq } from 'yaml';

/*
 * Writing data back into a YAML file without vandalising it: the file is parsed as a document
 * (comments, blank lines, quoting and block styles kept on every node), and only the nodes whose
 * values changed are replaced. Items of a list of named mappings (the patterns) are matched by
 * `name`, so adding, removing or editing one pattern leaves the others, and their comments, as
 * they were.
 */

/** `[a, b]`, as pattern files write keyword lists; no folding of long lines. */
const STRINGIFY = { lineWidth: 0, blockQuote: 'literal', flowCollectionPadding: false } as const;

/**
 * `text` (the current file, or null for none) with its data replaced by `value`. `header` is the
 * comment a new file starts with.
 */
export function patchYamlText(text: string | null, value: Record<string, unknown>, header?: string): string {
  const parsed = text !== null && text.trim() !== '' ? parseDocument(text, { keepSourceTokens: false }) : null;
  if (!parsed || parsed.errors.length > 0 || !isMap(parsed.contents)) {
    const doc = new Document(value);
    if (header) doc.commentBefore = header;
    return doc.toString(STRINGIFY);
  }
  patchMap(parsed, parsed.contents, value);
  return parsed.toString(STRINGIFY);
}

function patchMap(doc: Document, node: YAMLMap, value: Record<string, unknown>): void {
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    const existing = node.get(key, true) as Node | undefined;
    if (existing === undefined) node.set(key, doc.createNode(v));
    else if (!sameJson(existing.toJSON(), v)) node.set(key, patched(doc, existing, v));
  }
  for (const pair of [...node.items]) {
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
    if (!(key in value) || value[key] === undefined) node.delete(key);
  }
}

/** The node for `v`: the existing one edited in place where the kinds agree, else a new one. */
function patched(doc: Document, existing: Node, v: unknown): Node {
  if (isMap(existing) && isPlainObject(v)) {
    patchMap(doc, existing, v);
    return existing;
  }
  if (isSeq(existing) && Array.isArray(v)) {
    patchSeq(doc, existing, v);
    return existing;
  }
  const created = doc.createNode(v) as Node;
  // A scalar keeps its comments when only its value changes.
  if (isScalar(existing) && isScalar(created)) {
    created.commentBefore = existing.commentBefore;
    created.comment = existing.comment;
  }
  return created;
}

function patchSeq(doc: Document, node: YAMLSeq, values: unknown[]): void {
  const named = values.every((v) => isPlainObject(v) && typeof v.name === 'string');
  const old = node.items as Node[];
  if (named) {
    const byName = new Map<string, Node>();
    for (const item of old) {
      const name = isMap(item) ? item.get('name') : undefined;
      if (typeof name === 'string' && !byName.has(name)) byName.set(name, item);
    }
    node.items = values.map((v) => {
      const item = byName.get((v as { name: string }).name);
      return item === undefined ? doc.createNode(v) : sameJson(item.toJSON(), v) ? item : patched(doc, item, v);
    });
    return;
  }
  node.items = values.map((v, i) => (i < old.length ? (sameJson(old[i].toJSON(), v) ? old[i] : patched(doc, old[i], v)) : doc.createNode(v)));
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Equal as JSON values, whatever the key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  }
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => sameJson(a[k], b[k]));
  }
  return false;
}
