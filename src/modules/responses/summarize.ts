/*
 * A summary that refers to the text it was given: the text is what follows the request ("Summarize
 * this: ...", a quoted or pasted block), the summary its lead sentence and the sentences that carry
 * its most frequent content words, shortened. Extractive, as a first draft by a careful reader.
 */

const MIN_WORDS = 12;
/** The summary reads the text's first this many characters (its lead carries it; the cost stays small). */
const MAX_SCAN = 6_000;

const STOP = new Set(
  ('the a an of to in on at by for with from and or but is are was were be been being it its this that these those ' +
    'as not no so if then than there their they them he she his her we our you your i me my do does did have has had ' +
    'will would can could should may might must also very just more most some any all into over about which who what ' +
    'when where how why up out one two').split(' '),
);

/** The text a summarization request gives to summarize, or null when it gives none. */
export function textToSummarize(prompt: string): string | null {
  const text = prompt.slice(0, MAX_SCAN);
  const candidates: string[] = [];
  const colon = text.indexOf(':');
  if (colon >= 0) candidates.push(text.slice(colon + 1));
  const newline = text.indexOf('\n');
  if (newline >= 0) candidates.push(text.slice(newline + 1));
  const quoted = /["“]([^"”]{40,})["”]/.exec(text);
  if (quoted) candidates.push(quoted[1]);
  const body = candidates.map((c) => c.trim()).find((c) => c.split(/\s+/).length >= MIN_WORDS);
  return body ?? null;
}

function sentencesOf(text: string): string[] {
  return (text.replace(/\s+/g, ' ').match(/[^.!?]+[.!?]+(?=\s|$)|[^.!?]+$/g) ?? []).map((s) => s.trim()).filter((s) => s !== '');
}

/** Up to `count` sentences of the text: the first, then those with the most frequent content words, in text order. */
export function summarizeText(text: string, count = 2): string {
  const sentences = sentencesOf(text.slice(0, MAX_SCAN)).slice(0, 200);
  if (sentences.length === 0) return '';
  const freq = new Map<string, number>();
  const contentWords = (s: string) => (s.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).filter((w) => !STOP.has(w) && w.length > 2);
  for (const s of sentences) for (const w of contentWords(s)) freq.set(w, (freq.get(w) ?? 0) + 1);
  const score = (s: string) => contentWords(s).reduce((sum, w) => sum + (freq.get(w) ?? 0), 0) / Math.sqrt(contentWords(s).length + 1);
  const ranked = sentences.map((s, i) => ({ s, i, score: i === 0 ? Infinity : score(s) })).sort((a, b) => b.score - a.score);
  return ranked
    .slice(0, count)
    .sort((a, b) => a.i - b.i)
    .map(({ s }) => shorten(s, 40))
    .join(' ');
}

/** The text's most frequent content words, for "it is about X, Y and Z". */
export function keyTerms(text: string, count = 3): string[] {
  const freq = new Map<string, number>();
  // Nouns carry what a text is about; words ending like verbs (voted, saying) rarely do.
  for (const w of (text.slice(0, MAX_SCAN).toLowerCase().match(/[\p{L}][\p{L}'-]+/gu) ?? []).filter((w) => !STOP.has(w) && w.length > 3 && !/(ed|ing|ly)$/.test(w))) {
    freq.set(w, (freq.get(w) ?? 0) + 1);
  }
  return [...freq.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([w]) => w);
}

function shorten(sentence: string, words: number): string {
  const parts = sentence.split(/\s+/);
  if (parts.length <= words) return sentence;
  return `${parts.slice(0, words).join(' ').replace(/[,;:]$/, '')}…`;
}
