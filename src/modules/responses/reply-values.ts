import { arithmeticIn, formatNumber } from './arithmetic';
import { programmingLanguage, writeCode } from './code-writer';
import { knownFact, targetLanguage, translation } from './knowledge';
import { TemplateValues } from './reply-template';
import { keyTerms, summarizeText, textToSummarize } from './summarize';
import { placesIn } from './text-facts';

/*
 * The values a reply template can use, computed from the prompt only when a reply asks for them.
 * The names are documented in docs/patterns.md ("Templates"); regex capture groups come first,
 * so a pattern's `(?P<city>...)` wins over a built-in name.
 */

const MAX_TOPIC_WORDS = 8;
const MAX_PROMPT = 20_000;

type Producer = (prompt: string) => string | undefined;

const PRODUCERS: Record<string, Producer> = {
  prompt: (p) => clip(p.trim(), 300),
  topic: (p) => topicOf(p),
  subject: (p) => subjectOfQuestion(p),
  place: (p) => placesIn(p)[0],
  language: (p) => programmingLanguage(p) ?? undefined,
  code_language: (p) => writeCode(p).language,
  task: (p) => writeCode(p).task,
  function_name: (p) => writeCode(p).name,
  code: (p) => {
    const c = writeCode(p);
    return `\`\`\`${c.fence}\n${c.code}\n\`\`\``;
  },
  text: (p) => textToSummarize(p) ?? undefined,
  summary: (p) => {
    const text = textToSummarize(p);
    return text ? summarizeText(text) : undefined;
  },
  key_terms: (p) => {
    const text = textToSummarize(p);
    const terms = text ? keyTerms(text) : [];
    return terms.length === 0 ? undefined : terms.length === 1 ? terms[0] : `${terms.slice(0, -1).join(', ')} and ${terms[terms.length - 1]}`;
  },
  word_count: (p) => {
    const text = textToSummarize(p);
    return text ? String(text.split(/\s+/).filter(Boolean).length) : undefined;
  },
  expression: (p) => arithmeticIn(p)?.expression,
  answer: (p) => {
    const a = arithmeticIn(p);
    return a ? formatNumber(a.value) : undefined;
  },
  unknown: (p) => arithmeticIn(p)?.unknown,
  fact: (p) => knownFact(p) ?? undefined,
  target_language: (p) => targetLanguage(p) ?? undefined,
  phrase: (p) => translation(p)?.phrase,
  translation: (p) => translation(p)?.translation,
  user_name: (p) => /\b(?:my name is|i am|i'm) ([\p{Lu}][\p{L}'-]+)/u.exec(p)?.[1],
  count: (p) => String(listCount(p)),
  list_topic: (p) => listTopic(p),
  tips: (p) => {
    const topic = listTopic(p) ?? topicOf(p) ?? 'this';
    return TIPS.slice(0, listCount(p))
      .map((tip, i) => `${i + 1}. ${tip.replace(/\{topic\}/g, topic)}`)
      .join('\n');
  },
};

const TIPS = [
  '**Start small.** Pick one part of {topic} and improve it before changing everything at once.',
  '**Be consistent.** Small habits repeated every day do more for {topic} than occasional big efforts.',
  '**Measure what matters.** Keep a short note of what you try for {topic} and what changes.',
  '**Remove friction.** Make the good choice the easy one, so {topic} does not depend on willpower.',
  '**Learn from others.** People who are good at {topic} are usually happy to share what worked.',
  '**Plan ahead.** Decide the next step for {topic} the day before, not in the moment.',
  '**Rest and review.** Step back once a week and look at how {topic} is going.',
  '**Ask for feedback.** An outside view spots what you no longer notice about {topic}.',
  '**Keep it simple.** The simplest approach to {topic} that works is usually the one you keep.',
  '**Celebrate progress.** Notice the improvements in {topic}, however small; they keep you going.',
];

/** "Give me 3 tips": how many items a list request asks for (1..10, default 5). */
function listCount(prompt: string): number {
  const m = /\b(\d{1,2}|one|two|three|four|five|six|seven|eight|nine|ten)\s+(?:\w+\s+)?(?:tips|ideas|ways|reasons|steps|suggestions|things|examples|facts)\b/i.exec(prompt);
  if (!m) return 5;
  const words = ['one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten'];
  const n = /^\d/.test(m[1]) ? Number(m[1]) : words.indexOf(m[1].toLowerCase()) + 1;
  return Math.min(10, Math.max(1, n));
}

/** "tips for better sleep" -> "better sleep". */
function listTopic(prompt: string): string | undefined {
  const m = /\b(?:tips|ideas|ways|reasons|steps|suggestions|things|examples|facts)\s+(?:for|on|to|about|of|in)\s+([^.?!\n]{2,80})/i.exec(prompt);
  return m ? words(m[1]) : undefined;
}

/** The template values of a prompt, with the matched rule's capture groups. */
export function replyValues(fullPrompt: string, groups: Record<string, string> = {}): TemplateValues {
  // A pasted document's tail changes no value: the producers read a bounded prefix.
  const prompt = fullPrompt.slice(0, MAX_PROMPT);
  const cache = new Map<string, string | undefined>();
  return {
    knows: (name) => name in groups || name in PRODUCERS || /^\d{1,2}$/.test(name),
    value: (name) => {
      if (name in groups) return groups[name].trim();
      if (!(name in PRODUCERS)) return undefined;
      if (!cache.has(name)) cache.set(name, PRODUCERS[name](prompt));
      return cache.get(name);
    },
  };
}


/**
 * What a prompt is about: the words after "about"/"on"/"regarding", else after the request verb
 * ("explain how transformers work" -> "how transformers work"), else its first words.
 */
export function topicOf(prompt: string): string | undefined {
  const line = firstLine(prompt);
  // "Explain how X works" -> "how X works"; "Why is the sky blue?" -> "why the sky is blue".
  const explain = /^\s*(?:please\s+)?(?:can you\s+)?(?:explain|describe)(?: to me)?\s+((?:how|why|what|when|where)\b[^.?!;:\n]{2,80})/i.exec(line);
  if (explain) return words(explain[1]);
  const why = /^\s*(why|how) (is|are|was|were|do|does|did) ((?:(?:the|a|an|my|your|our|their) )?[\w'-]+) ([^.?!;:\n]{1,60})/i.exec(line);
  if (why) {
    const verb = why[2].toLowerCase();
    if (verb === 'do' || verb === 'does' || verb === 'did') return words(`${why[1].toLowerCase()} ${why[3]} ${why[4]}`);
    return words(`${why[1].toLowerCase()} ${why[3]} ${verb} ${why[4]}`);
  }
  const about = /\b(?:about|on|regarding|concerning|of)\s+([^.?!,;:\n]{2,80})/i.exec(line);
  if (about && !/^(the )?(following|this|that|it)\b/i.test(about[1])) return words(about[1]);
  const after = /\b(?:explain|describe|define|compare|summari[sz]e|what(?:'s| is| are)|tell me(?: about)?|why (?:is|are|do|does)|how (?:do|does|is|are)|write(?: me)?(?: a| an)?(?: \w+)?)\s+([^.?!;:\n]{2,80})/i.exec(line);
  if (after) return words(after[1]);
  const plain = words(line.replace(/[?.!]+$/, ''));
  return plain === '' ? undefined : plain;
}

/** The subject of a question: "What is the capital of France?" -> "the capital of France". */
export function subjectOfQuestion(prompt: string): string | undefined {
  const line = firstLine(prompt);
  const m = /^\s*(?:(?:and|so|ok|okay|please|hey)[, ]+)?(?:what|who|where|when|which|how)(?:'s|\s+(?:is|are|was|were|does|do|did|many|much|far|long|old|big))?\s+(.+?)\s*\??\s*$/i.exec(line);
  if (m) return words(m[1].replace(/\b(is|are|was|were|do|does)$/i, '').trim());
  const tell = /\btell me about\s+(.+?)\s*[?.!]?\s*$/i.exec(line);
  return tell ? words(tell[1]) : topicOf(prompt);
}

function firstLine(prompt: string): string {
  return (prompt.split('\n').find((l) => l.trim() !== '') ?? '').slice(0, 400);
}

function words(text: string): string {
  return text.trim().split(/\s+/).slice(0, MAX_TOPIC_WORDS).join(' ').replace(/[,;:]$/, '');
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
