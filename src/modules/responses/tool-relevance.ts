import { ToolDefinition } from './responses.types';
import { compileKeyword } from './safe-regex';
import { stem, wordsOf } from './text-facts';

/*
 * How much a user's message is about a tool: the words of the tool's name (split at `_`, `-` and
 * case changes), its description and its parameters, met in the message as written, by stem, or
 * through a group of words that mean the same thing (`weather` ~ `forecast`, `temperature`, `rain`).
 * What an instruction-tuned model does under `tool_choice: auto`, without one.
 */

/** Words that say nothing about what a tool does (`get_weather` is about weather, not getting). */
const GENERIC = new Set(
  ('get set fetch retrieve return returns run call invoke do make use tool tools function func api service query ' +
    'request data info information value values result results current given specified provided input output the a an ' +
    'of to for in on at by with from and or is are be this that it its any all some one two string number integer ' +
    'object array boolean optional required default e g eg i ie etc user users you your can will should must please ' +
    'new list item items name type id key param params parameter parameters field fields').split(' '),
);

/** Words that are not about any tool in a message (greetings, fillers). */
const STOP = new Set(
  ('hello hi hey thanks thank you please the a an of to for in on at by with from and or is are was were be been ' +
    'this that it its i me my we our us what whats how who when where which why can could would will do does did ' +
    'tell give show let know want need like just about there here some any now today again also so very much').split(' '),
);

/** Words that mean the same thing for tool choice; a message word and a tool word in one group meet. */
const SYNONYMS: readonly string[][] = [
  ['weather', 'forecast', 'temperature', 'rain', 'raining', 'sunny', 'snow', 'snowing', 'wind', 'windy', 'humidity', 'climate', 'umbrella', 'cold', 'hot', 'warm'],
  ['time', 'clock', 'hour', 'timezone', 'o\'clock'],
  ['date', 'day', 'calendar', 'today', 'tomorrow'],
  ['search', 'find', 'look', 'lookup', 'google', 'browse', 'web', 'internet', 'research'],
  ['email', 'mail', 'inbox', 'e', 'message', 'send'],
  ['calendar', 'meeting', 'event', 'schedule', 'appointment', 'agenda'],
  ['stock', 'share', 'ticker', 'market', 'nasdaq', 'price', 'quote'],
  ['calculate', 'calculator', 'compute', 'math', 'sum', 'add', 'multiply', 'divide', 'subtract', 'plus', 'minus', 'times', 'arithmetic'],
  ['translate', 'translation', 'translator', 'language'],
  ['book', 'booking', 'reserve', 'reservation', 'flight', 'flights', 'hotel', 'ticket', 'trip', 'travel'],
  ['map', 'maps', 'direction', 'directions', 'route', 'distance', 'navigate', 'navigation'],
  ['news', 'headline', 'headlines', 'article'],
  ['file', 'files', 'document', 'documents', 'read', 'open', 'folder'],
  ['database', 'sql', 'table', 'record', 'records', 'db'],
  ['order', 'orders', 'purchase', 'buy', 'checkout', 'cart'],
  ['currency', 'exchange', 'convert', 'conversion', 'rate', 'dollar', 'euro'],
  ['music', 'song', 'songs', 'play', 'playlist', 'track'],
  ['remind', 'reminder', 'alarm', 'timer', 'alert'],
  ['light', 'lights', 'lamp', 'switch', 'turn', 'thermostat'],
  ['doc', 'docs', 'documentation', 'manual', 'guide', 'install', 'tutorial'],
  ['contact', 'contacts', 'phone', 'call', 'number'],
  ['location', 'city', 'place', 'where', 'address'],
  ['user', 'account', 'profile', 'customer'],
  ['image', 'picture', 'photo', 'draw', 'generate'],
  ['code', 'python', 'execute', 'script', 'program', 'run'],
];

const GROUP_OF = new Map<string, number[]>();
SYNONYMS.forEach((group, i) => {
  for (const w of group) GROUP_OF.set(stem(w), [...(GROUP_OF.get(stem(w)) ?? []), i]);
});

/** Words of a function or property name: `getCurrentWeather`, `get_current-weather` -> get, current, weather. */
export function splitName(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

/** A tool's own terms, weighted: name words count most, description and parameters less. */
interface ToolTerms {
  name: Set<string>;
  other: Set<string>;
}

function termsOf(tool: ToolDefinition): ToolTerms {
  const name = new Set(splitName(tool.name).map(stem).filter((w) => !GENERIC.has(w)));
  const other = new Set<string>();
  const add = (text: string) => {
    for (const w of wordsOf(text)) if (!GENERIC.has(w) && !STOP.has(w) && w.length > 2) other.add(stem(w));
  };
  add(tool.description ?? '');
  const properties = (tool.parameters as { properties?: Record<string, { description?: unknown; enum?: unknown }> } | undefined)?.properties;
  if (properties && typeof properties === 'object') {
    for (const [key, prop] of Object.entries(properties).slice(0, 64)) {
      for (const w of splitName(key)) if (!GENERIC.has(w)) other.add(stem(w));
      if (prop && typeof prop === 'object' && typeof prop.description === 'string') add(prop.description);
    }
  }
  return { name, other };
}

/** Relevance of a tool to a message: 0 = unrelated; a name word met counts 3, a synonym 2, any other term 1. */
export function relevance(tool: ToolDefinition, message: string): number {
  if (toolNamedIn([tool], message)) return 10;
  const terms = termsOf(tool);
  const words = new Set(wordsOf(message).filter((w) => !STOP.has(w)).map(stem));
  // Each message word counts once, by its best link: a name word (3), a synonym of one (2), a word
  // of the description or parameters, or a synonym of one (1).
  const groupsOf = (set: Set<string>) => new Set([...set].flatMap((w) => GROUP_OF.get(w) ?? []));
  const nameGroups = groupsOf(terms.name);
  const otherGroups = groupsOf(terms.other);
  let score = 0;
  for (const w of words) {
    const groups = GROUP_OF.get(w) ?? [];
    if (terms.name.has(w)) score += 3;
    else if (groups.some((g) => nameGroups.has(g))) score += 2;
    else if (terms.other.has(w) || groups.some((g) => otherGroups.has(g))) score += 1;
  }
  return score;
}

/** A message is about a tool from this score on. */
export const RELEVANT = 2;

/** The first offered tool whose name the text mentions, as written or with `_`/`-` as spaces. */
export function toolNamedIn(tools: readonly ToolDefinition[], text: string): ToolDefinition | null {
  for (const tool of tools) {
    const spaced = tool.name.replace(/[_-]+/g, ' ').trim();
    const forms = spaced !== '' && spaced !== tool.name ? [tool.name, spaced] : [tool.name];
    if (forms.some((form) => compileKeyword(form).test(text))) return tool;
  }
  return null;
}
