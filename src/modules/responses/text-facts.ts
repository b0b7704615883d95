/*
 * What a reply can take from the words of a prompt: places, numbers, dates, quoted strings, e-mail
 * addresses and links, in the order they appear. Plain string scanning with bounded regexes over
 * a bounded prefix of the text, so a long prompt costs little.
 */

/** Only this much of a message is read for facts (a pasted document's tail adds nothing). */
const MAX_SCAN = 8_000;

/** Cities and countries a prompt commonly names; a capitalised word after `in`/`at`/`for`... counts too. */
const KNOWN_PLACES = (
  'Paris|London|Berlin|Madrid|Rome|Lisbon|Amsterdam|Brussels|Vienna|Prague|Warsaw|Budapest|Athens|Dublin|Oslo|Stockholm|' +
  'Copenhagen|Helsinki|Zurich|Zürich|Geneva|Munich|Hamburg|Milan|Barcelona|Istanbul|Moscow|Kyiv|Cairo|Lagos|Nairobi|' +
  'Johannesburg|Cape Town|Casablanca|Dubai|Riyadh|Tel Aviv|Mumbai|Delhi|New Delhi|Bangalore|Karachi|Dhaka|Bangkok|Singapore|' +
  'Kuala Lumpur|Jakarta|Manila|Hanoi|Hong Kong|Shanghai|Beijing|Shenzhen|Taipei|Seoul|Tokyo|Osaka|Kyoto|Sydney|Melbourne|' +
  'Auckland|Toronto|Montreal|Vancouver|New York|New York City|Los Angeles|San Francisco|Chicago|Boston|Seattle|Austin|Miami|' +
  'Denver|Dallas|Houston|Atlanta|Washington|Mexico City|Bogota|Lima|Santiago|Buenos Aires|Sao Paulo|São Paulo|Rio de Janeiro|' +
  'France|Germany|Spain|Italy|Portugal|Japan|China|India|Brazil|Canada|Mexico|Australia|Egypt|Kenya|Nigeria|Norway|Sweden|' +
  'Finland|Denmark|Poland|Greece|Ireland|Switzerland|Austria|Netherlands|Belgium|Turkey|Russia|Ukraine|Argentina|Chile|Peru|' +
  'Colombia|Thailand|Vietnam|Indonesia|Korea|South Korea|United States|USA|United Kingdom|UK|England|Scotland|California|Texas|Florida'
).split('|');

const PLACE_SET = new Map(KNOWN_PLACES.map((p) => [p.toLowerCase(), p]));
const LONGEST_PLACE_WORDS = 4;
const NOT_PLACES = new Set(
  'I|The|A|An|It|This|That|My|Me|You|We|They|He|She|Celsius|Fahrenheit|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|September|October|November|December|Python|JavaScript|English|French|Spanish|German|Today|Tomorrow|Please'.split('|'),
);

export interface NumberFact {
  value: number;
  /** The word right after it (`3 days` -> `days`), lower case, or ''. */
  after: string;
  /** The word right before it (`top 5` -> `top`), lower case, or ''. */
  before: string;
}

export interface TextFacts {
  places: string[];
  numbers: NumberFact[];
  /** ISO dates (yyyy-mm-dd) named or implied (`tomorrow`), in order. */
  dates: string[];
  quoted: string[];
  emails: string[];
  urls: string[];
}

export function factsOf(text: string, today: Date = new Date()): TextFacts {
  const scan = text.slice(0, MAX_SCAN);
  return { places: placesIn(scan), numbers: numbersIn(scan), dates: datesIn(scan, today), quoted: quotedIn(scan), emails: emailsIn(scan), urls: urlsIn(scan) };
}

/** Places in order of appearance: known names (longest first), then capitalised words after a place preposition. */
export function placesIn(text: string): string[] {
  const found: Array<{ at: number; name: string }> = [];
  const words = [...text.matchAll(/[\p{L}][\p{L}'’.-]*/gu)];
  const taken = new Set<number>();
  for (let i = 0; i < words.length; i++) {
    if (taken.has(i)) continue;
    for (let n = Math.min(LONGEST_PLACE_WORDS, words.length - i); n >= 1; n--) {
      const span = words.slice(i, i + n);
      // Only words separated by single spaces make one name.
      if (span.some((w, j) => j > 0 && text.slice(span[j - 1].index! + span[j - 1][0].length, w.index!) !== ' ')) continue;
      const phrase = span.map((w) => w[0].replace(/[.'’]+$/, '')).join(' ');
      const known = PLACE_SET.get(phrase.toLowerCase());
      if (known && /^\p{Lu}/u.test(phrase)) {
        found.push({ at: span[0].index!, name: known });
        for (let j = 0; j < n; j++) taken.add(i + j);
        break;
      }
    }
  }
  // "in Springfield", "to Reykjavik": a capitalised name after a preposition of place.
  for (const m of text.matchAll(/\b(?:in|at|for|to|from|near|of|around)\s+((?:\p{Lu}[\p{L}'’-]+)(?:\s+\p{Lu}[\p{L}'’-]+){0,2})/gu)) {
    const name = m[1];
    const at = m.index! + m[0].length - name.length;
    if (NOT_PLACES.has(name.split(/\s+/)[0]) || found.some((f) => at >= f.at && at < f.at + f.name.length + 2)) continue;
    found.push({ at, name });
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.name))];
}

function numbersIn(text: string): NumberFact[] {
  const out: NumberFact[] = [];
  for (const m of text.matchAll(/(^|[^\w.])(-?\d+(?:\.\d+)?)(?![\w.]*\d)/g)) {
    const start = m.index! + m[1].length;
    // Not a part of a date, a time or a version.
    const around = text.slice(Math.max(0, start - 1), start + m[2].length + 1);
    if (/\d[-/:]|[-/:]\d/.test(around.replace(/^-/, ''))) continue;
    const before = /([A-Za-z]+)\W*$/.exec(text.slice(Math.max(0, start - 24), start))?.[1] ?? '';
    const after = /^\s*([A-Za-z]+)/.exec(text.slice(start + m[2].length, start + m[2].length + 24))?.[1] ?? '';
    out.push({ value: Number(m[2]), before: before.toLowerCase(), after: after.toLowerCase() });
    if (out.length >= 32) break;
  }
  return out;
}

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const pad = (n: number) => String(n).padStart(2, '0');
const iso = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;

function datesIn(text: string, today: Date): string[] {
  const found: Array<{ at: number; date: string }> = [];
  for (const m of text.matchAll(/\b(\d{4})-(\d{2})-(\d{2})\b/g)) found.push({ at: m.index!, date: m[0] });
  const monthPattern = MONTHS.map((m) => `${m}|${m.slice(0, 3)}`).join('|');
  for (const m of text.matchAll(new RegExp(`\\b(${monthPattern})\\.?\\s+(\\d{1,2})(?:st|nd|rd|th)?(?:,?\\s+(\\d{4}))?\\b`, 'gi'))) {
    found.push({ at: m.index!, date: monthDay(m[1], Number(m[2]), m[3], today) });
  }
  for (const m of text.matchAll(new RegExp(`\\b(\\d{1,2})(?:st|nd|rd|th)?\\s+(?:of\\s+)?(${monthPattern})\\.?(?:,?\\s+(\\d{4}))?\\b`, 'gi'))) {
    found.push({ at: m.index!, date: monthDay(m[2], Number(m[1]), m[3], today) });
  }
  for (const m of text.matchAll(/\b(today|tonight|tomorrow|yesterday|next week)\b/gi)) {
    const offset = { today: 0, tonight: 0, tomorrow: 1, yesterday: -1, 'next week': 7 }[m[1].toLowerCase() as 'today'];
    found.push({ at: m.index!, date: iso(new Date(today.getTime() + offset * 86_400_000)) });
  }
  found.sort((a, b) => a.at - b.at);
  return [...new Set(found.map((f) => f.date).filter((d) => !d.includes('NaN')))];
}

function monthDay(month: string, day: number, year: string | undefined, today: Date): string {
  const index = MONTHS.findIndex((m) => m.startsWith(month.toLowerCase().slice(0, 3)));
  const y = year ? Number(year) : today.getUTCFullYear();
  return `${y}-${pad(index + 1)}-${pad(Math.min(Math.max(day, 1), 31))}`;
}

function quotedIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/"([^"\n]{1,200})"|“([^”\n]{1,200})”|«\s?([^»\n]{1,200}?)\s?»|(?:^|[\s(])'([^'\n]{1,200})'(?=[\s.,;:!?)]|$)/g)) {
    out.push((m[1] ?? m[2] ?? m[3] ?? m[4]).trim());
  }
  return out.filter((q) => q !== '');
}

function emailsIn(text: string): string[] {
  return [...text.matchAll(/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g)].map((m) => m[0]);
}

function urlsIn(text: string): string[] {
  return [...text.matchAll(/\bhttps?:\/\/[^\s"'<>)]+/g)].map((m) => m[0].replace(/[.,;:!?]+$/, ''));
}

/** Lower-case words of a text (letters and digits), without punctuation. */
export function wordsOf(text: string): string[] {
  return (text.slice(0, MAX_SCAN).toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 2_000);
}

/** A light stem: plural, -ing, -ed and -ly endings off, so `forecasts`, `forecasting` meet `forecast`. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (word.endsWith('ing') && word.length > 5) return word.slice(0, -3);
  if (word.endsWith('ed') && word.length > 4) return word.slice(0, -2);
  if (word.endsWith('es') && /(ss|sh|ch|x|z)es$/.test(word)) return word.slice(0, -2);
  if (word.endsWith('s') && !word.endsWith('ss')) return word.slice(0, -1);
  return word;
}
