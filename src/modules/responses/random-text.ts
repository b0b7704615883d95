import { Random } from '../../common/random';

/*
 * Text for the `random` mode and for filling a reply out to ignore_eos / min_tokens lengths:
 * sentences built from common English words, so streams and dashboards show something that reads
 * like text and tokenizes like it (short words, punctuation, paragraphs).
 */

const WORDS = (
  'the of and to in is that for it as with was on be by this are or from at an which but not have ' +
  'has can more one all their will also other these been into some when there than its time only ' +
  'new used most such may many first over system data model each where between both through after ' +
  'about well because while same should value request server result simple small large number ' +
  'process example different important several common general often usually however during before ' +
  'without under within against among across three second later early local global memory cache ' +
  'token stream batch queue latency throughput network response client service engine record file ' +
  'change state event signal level point line rate range cost load test check build write read ' +
  'start stop run make take give find show keep move follow include provide allow return describe ' +
  'simple clear quick careful steady useful typical natural careful direct brief open stable exact'
).split(' ');

const CONNECTORS = ['In practice,', 'For example,', 'As a result,', 'In most cases,', 'At the same time,', 'Overall,'];

export function randomSentence(rng: Random): string {
  const length = 6 + rng.int(14);
  const words: string[] = [];
  if (rng.next() < 0.2) words.push(rng.pick(CONNECTORS));
  for (let i = 0; i < length; i++) {
    let word = rng.pick(WORDS);
    if (i > 2 && i < length - 2 && rng.next() < 0.08) word += ',';
    words.push(word);
  }
  const first = words[0];
  words[0] = first[0].toUpperCase() + first.slice(1);
  return `${words.join(' ')}${rng.next() < 0.1 ? '?' : '.'}`;
}

/**
 * Sentences until the text has about `targetTokens` tokens (by `count`), in paragraphs of 2-5
 * sentences. Ends on a sentence boundary, so a natural end reads like one.
 */
export function randomText(rng: Random, targetTokens: number, count: (text: string) => number): string {
  let text = '';
  let tokens = 0;
  let inParagraph = 0;
  let paragraphLength = 2 + rng.int(4);
  while (tokens < targetTokens) {
    const sentence = randomSentence(rng);
    const joiner = text === '' ? '' : inParagraph >= paragraphLength ? '\n\n' : ' ';
    if (joiner === '\n\n') {
      inParagraph = 0;
      paragraphLength = 2 + rng.int(4);
    }
    text += joiner + sentence;
    tokens += count(joiner + sentence);
    inParagraph++;
  }
  return text;
}

/**
 * A reply length in tokens: lognormal with the given median (about 100 tokens, long right tail:
 * about 9% of replies are longer than 250 tokens), at least 1.
 */
export function drawReplyLength(rng: Random, medianTokens = 100, sigma = 0.7): number {
  return Math.max(1, Math.round(Math.exp(Math.log(medianTokens) + sigma * rng.gaussian())));
}
