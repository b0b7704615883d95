import { Random } from '../../common/random';

/*
 * Plausible values for a property by its name and format, when the conversation gives none:
 * a `city` gets a city, an `email` an address, an `age` a human age. What a model that read the
 * schema's property names would write.
 */

export const FILLER_WORDS = 'alpha bravo delta river stone cloud maple harbor signal garden orbit silver quiet amber copper meadow'.split(' ');
const CITIES = ['Paris', 'Tokyo', 'San Francisco', 'Berlin', 'Toronto', 'Sydney', 'Lisbon', 'Seoul'];
const NAMES = ['Alice Martin', 'Bob Chen', 'Carla Diaz', 'David Okafor', 'Emma Schmidt', 'Farid Haddad'];
const COUNTRIES = ['France', 'Japan', 'Canada', 'Brazil', 'Germany', 'Kenya'];
const TOPICS = ['latest results', 'weather forecast', 'project status', 'release notes', 'quarterly report', 'travel options'];
const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella Labs', 'Stark Industries'];
const COLORS = ['red', 'green', 'blue', 'teal', 'orange'];
const LANGUAGES = ['English', 'French', 'Spanish', 'German', 'Japanese'];
const STREETS = ['12 Rue de Rivoli', '221B Baker Street', '1600 Amphitheatre Parkway', '350 Fifth Avenue'];

/** Lengths of the values `formatted` writes, for the size estimate (the longest of each format). */
export const FORMAT_LENGTHS: Record<string, number> = {
  'date-time': 20,
  date: 10,
  time: 9,
  uuid: 36,
  ipv4: 15,
  duration: 5,
};

const pad = (n: number): string => String(n).padStart(2, '0');
const hex = (rng: Random, digits: number): string => Array.from({ length: digits }, () => rng.int(16).toString(16)).join('');

/** A value of a known string `format`, or null for formats this sampler does not know. */
export function formatted(format: string, rng: Random): string | null {
  const date = () => `20${pad(20 + rng.int(6))}-${pad(1 + rng.int(12))}-${pad(1 + rng.int(28))}`;
  const time = () => `${pad(rng.int(24))}:${pad(rng.int(60))}:${pad(rng.int(60))}`;
  switch (format) {
    case 'date-time':
      return `${date()}T${time()}Z`;
    case 'date':
      return date();
    case 'time':
      return `${time()}Z`;
    case 'email':
    case 'idn-email':
      return `${rng.pick(NAMES).split(' ')[0].toLowerCase()}${rng.int(100)}@example.com`;
    case 'uri':
    case 'url':
    case 'iri':
    case 'uri-reference':
    case 'iri-reference':
      return `https://example.com/${rng.pick(FILLER_WORDS)}/${rng.int(1000)}`;
    case 'hostname':
    case 'idn-hostname':
      return `${rng.pick(FILLER_WORDS)}.example.com`;
    case 'uuid':
      return `${hex(rng, 8)}-${hex(rng, 4)}-4${hex(rng, 3)}-${'89ab'[rng.int(4)]}${hex(rng, 3)}-${hex(rng, 12)}`;
    case 'ipv4':
      return `${10 + rng.int(200)}.${rng.int(256)}.${rng.int(256)}.${1 + rng.int(254)}`;
    case 'ipv6':
      return `2001:db8::${hex(rng, 4).replace(/^0+(?=.)/, '')}`;
    case 'duration':
      return `PT${1 + rng.int(59)}M`;
    default:
      return null;
  }
}

/** Words of a property name: `maxResults`, `max_results`, `max-results` -> `max results`. */
export function nameWords(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.\s]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** A plausible value for a string property, by its name. */
export function hintedString(key: string, rng: Random): string {
  const k = nameWords(key);
  if (/\b(city|location|place|destination|origin|town)\b/.test(k)) return rng.pick(CITIES);
  if (/\bcountry\b/.test(k)) return rng.pick(COUNTRIES);
  if (/\be ?mail\b/.test(k)) return formatted('email', rng)!;
  if (/\b(url|uri|link|website|homepage)\b/.test(k)) return formatted('uri', rng)!;
  if (/\bdate\b|\bday\b|birthday/.test(k)) return formatted('date', rng)!;
  if (/\btime\b|timestamp|\b(created|updated) at\b/.test(k)) return formatted('date-time', rng)!;
  if (/\bid\b|uuid/.test(k)) return formatted('uuid', rng)!;
  if (/\bphone\b|telephone|mobile/.test(k)) return `+1-555-01${pad(rng.int(100))}`;
  if (/\b(address|street)\b/.test(k)) return rng.pick(STREETS);
  if (/\b(zip|postal|postcode)\b/.test(k)) return String(10000 + rng.int(89999));
  if (/\bcurrency\b/.test(k)) return rng.pick(['USD', 'EUR', 'JPY', 'GBP']);
  if (/\b(company|organization|organisation|employer)\b/.test(k)) return rng.pick(COMPANIES);
  if (/\bcolou?r\b/.test(k)) return rng.pick(COLORS);
  if (/\blanguage\b|\blang\b|locale/.test(k)) return rng.pick(LANGUAGES);
  if (/\bfirst name\b|given name/.test(k)) return rng.pick(NAMES).split(' ')[0];
  if (/\b(last name|surname|family name)\b/.test(k)) return rng.pick(NAMES).split(' ')[1];
  if (/\b(name|author|user|username|person|owner|customer)\b/.test(k)) return rng.pick(NAMES);
  if (/\b(query|search|topic|subject|title|keyword|keywords|term|question)\b/.test(k)) return rng.pick(TOPICS);
  if (/\b(description|text|content|message|summary|body|note|notes|comment|reason|answer|response|explanation)\b/.test(k)) {
    return `The ${rng.pick(FILLER_WORDS)} ${rng.pick(TOPICS)} for ${rng.pick(CITIES)}.`;
  }
  if (/\b(status|state)\b/.test(k)) return rng.pick(['active', 'pending', 'done']);
  if (/\b(unit|units)\b/.test(k)) return rng.pick(['celsius', 'metric']);
  return `${rng.pick(FILLER_WORDS)} ${rng.pick(FILLER_WORDS)}`;
}

/** A range that suits a number property by its name, when its schema sets none; null if the name says nothing. */
export function hintedRange(key: string, integer: boolean): { lo: number; hi: number } | null {
  const k = nameWords(key);
  if (/\bage\b/.test(k)) return { lo: 18, hi: 80 };
  if (/\byear\b/.test(k)) return { lo: 1990, hi: 2030 };
  if (/\bmonth\b/.test(k)) return { lo: 1, hi: 12 };
  if (/\b(rating|stars|score)\b/.test(k)) return { lo: 1, hi: 5 };
  if (/\b(percent|percentage|pct)\b/.test(k)) return { lo: 0, hi: 100 };
  if (/\b(lat|latitude)\b/.test(k)) return integer ? { lo: -90, hi: 90 } : { lo: -90, hi: 90 };
  if (/\b(lon|lng|longitude)\b/.test(k)) return { lo: -180, hi: 180 };
  if (/\b(count|quantity|qty|limit|max results|num|days|hours|nights|guests|people|top k)\b/.test(k)) return { lo: 1, hi: 10 };
  if (/\b(price|cost|amount|total|salary)\b/.test(k)) return { lo: 1, hi: 500 };
  return null;
}
