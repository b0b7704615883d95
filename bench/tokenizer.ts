/**
 * Tokenizer benchmark: accuracy of the approximate tokenizer against each real one (token counts on
 * the fixed corpus of src/modules/tokenizer/fixtures/corpus.ts) and the cost of loading and of
 * encoding long prompts. Run: npx ts-node bench/tokenizer.ts
 */
import { APPROXIMATE_PROFILES, ApproximateCodec } from '../src/modules/tokenizer/codecs/approximate';
import { createTokenizer } from '../src/modules/tokenizer/create-tokenizer';
import { CODE, ENGLISH } from '../src/modules/tokenizer/fixtures/corpus';

const MODELS = [
  'mistralai/Mistral-7B-Instruct-v0.3',
  'mistralai/Mixtral-8x7B-Instruct-v0.1',
  'meta-llama/Llama-2-7b-hf',
  'meta-llama/Llama-3.1-8B-Instruct',
  'Qwen/Qwen2.5-7B-Instruct',
  'microsoft/phi-4',
];

function relErr(approx: number, real: number): number {
  return Math.abs(approx - real) / real;
}

function main(): void {
  console.log('== load time and accuracy of the approximate tokenizer (token counts) ==');
  for (const model of MODELS) {
    const real = createTokenizer(model);
    const loadMs = real.warmUp();
    const profile = real.vocabSize < 70_000 ? APPROXIMATE_PROFILES['sentencepiece-32k'] : APPROXIMATE_PROFILES['bpe-large'];
    const approx = new ApproximateCodec(real.vocabSize, profile);
    const row = (texts: string[]): string => {
      let r = 0;
      let a = 0;
      let worst = 0;
      for (const t of texts) {
        const rc = real.count(t);
        const ac = approx.count(t);
        r += rc;
        a += ac;
        worst = Math.max(worst, relErr(ac, rc));
      }
      return `real ${r} approx ${a} total err ${(100 * relErr(a, r)).toFixed(1)}% worst text ${(100 * worst).toFixed(1)}%`;
    };
    console.log(`${model} [${real.name}, profile ${profile.name}] load ${loadMs.toFixed(0)} ms`);
    console.log(`  english: ${row(ENGLISH)}`);
    console.log(`  code:    ${row(CODE)}`);
  }

  console.log('\n== encode cost of long prompts (event loop blocked for the whole call) ==');
  const base = [...ENGLISH, ...CODE].join('\n\n');
  for (const model of [...MODELS, 'ibm-granite/granite-3.1-8b-instruct']) {
    const tok = createTokenizer(model);
    tok.warmUp();
    const perChar = tok.count(base) / base.length;
    const cells: string[] = [];
    for (const target of [4_096, 32_768, 131_072]) {
      // Distinct words per copy (a number suffix) so the word caches do not make it look cheap.
      let text = '';
      for (let i = 0; text.length * perChar < target; i++) text += base.replaceAll('the ', `the${i % 997} `) + '\n';
      const t0 = performance.now();
      const n = tok.encodePrompt(text).length;
      const cold = performance.now() - t0;
      const t1 = performance.now();
      tok.encodePrompt(text);
      const warm = performance.now() - t1;
      cells.push(`${n} tok: ${cold.toFixed(1)} ms (again ${warm.toFixed(1)} ms)`);
    }
    console.log(`${tok.name.padEnd(40)} ${cells.join(' | ')}`);
  }
}

main();
