import { ApiError } from '../api/api-error';
import { Tokenizer } from '../tokenizer/tokenizer.types';
import { toGenerateWork } from './generate-request';
import { GenerateRequest, SamplingParams } from './vllm-engine.types';

// One token per character; enough to test the checks without a real tokenizer.
const tokenizer = {
  vocabSize: 1000,
  encodePrompt: (text: string) => [...text].map((c) => c.charCodeAt(0) % 1000),
  decode: (ids: readonly number[]) => ids.map((i) => String.fromCharCode(i)).join(''),
} as unknown as Tokenizer;

const LIMITS = { max_n_sequences: 4, max_request_sequences: 8, max_logprobs: 20, max_stop_strings: 3 };

const params = (p: Partial<SamplingParams> = {}): SamplingParams => ({
  top_p: 0, top_k: 0, min_p: 0, frequency_penalty: 0, presence_penalty: 0, repetition_penalty: 0, min_tokens: 0,
  stop: [], stop_token_ids: [], ignore_eos: false, n: 0, include_stop_str_in_output: false, ...p,
});
const text = (t: string, p?: Partial<SamplingParams>): GenerateRequest => ({ request_id: 'r', input: 'text', text: t, sampling_params: params(p), stream: true });
const error = (fn: () => unknown): ApiError => {
  try {
    fn();
  } catch (e) {
    return e as ApiError;
  }
  throw new Error('did not throw');
};

describe('toGenerateWork', () => {
  it('reads text input and proto3 zero values as unset', () => {
    const work = toGenerateWork(text('hello', { max_tokens: 5, seed: 7, stop: ['x', ''] }), tokenizer, 100, LIMITS);
    expect(work).toMatchObject({ promptText: 'hello', promptTokenIds: [104, 101, 108, 108, 111], n: 1, maxTokens: 5, seed: 7, stop: ['x'], stopTokenIds: [] });
  });

  it('passes stop_token_ids on', () => {
    expect(toGenerateWork(text('hello', { stop_token_ids: [7, 9] }), tokenizer, 100, LIMITS).stopTokenIds).toEqual([7, 9]);
  });

  it('uses tokenized ids and decodes them when there is no original text', () => {
    const work = toGenerateWork({ request_id: 'r', input: 'tokenized', tokenized: { original_text: '', input_ids: [104, 105] }, sampling_params: null, stream: false }, tokenizer, 100, LIMITS);
    expect(work.promptTokenIds).toEqual([104, 105]);
    expect(work.promptText).toBe('hi');
    expect(work.maxTokens).toBe(98);
  });

  it.each<[string, GenerateRequest, RegExp]>([
    ['no input', { request_id: 'r', sampling_params: null, stream: false }, /needs an input/],
    ['empty text', text(''), /cannot be empty/],
    ['token out of vocabulary', { request_id: 'r', input: 'tokenized', tokenized: { original_text: '', input_ids: [1, 5000] }, sampling_params: null, stream: false }, /^Token id 5000 is out of vocabulary$/],
    ['tokens out of vocabulary (the largest named)', { request_id: 'r', input: 'tokenized', tokenized: { original_text: '', input_ids: [1000, 7, 1200] }, sampling_params: null, stream: false }, /^Token id 1200 is out of vocabulary$/],
    ['empty token ids', { request_id: 'r', input: 'tokenized', tokenized: { original_text: '', input_ids: [] }, sampling_params: null, stream: false }, /^The decoder prompt cannot be empty$/],
    ['max_tokens 0', text('hi', { max_tokens: 0 }), /max_tokens must be at least 1, got 0/],
    ['max_tokens too large', text('hi', { max_tokens: 99 }), /'max_tokens' or 'max_completion_tokens' is too large: 99/],
    ['prompt too long', text('x'.repeat(100)), /maximum context length is 100 tokens. However, your request has 100 input tokens/],
    ['negative temperature', text('hi', { temperature: -1 }), /temperature must be non-negative/],
    ['top_p above 1', text('hi', { top_p: 1.5 }), /top_p must be in \(0, 1\]/],
    ['min_tokens above max_tokens', text('hi', { max_tokens: 2, min_tokens: 3 }), /min_tokens must be less than or equal to max_tokens=2/],
    ['n above the limit', text('hi', { n: 5 }), /^n must be at most 4, got 5\./],
    ['more stop strings than the limit', text('hi', { stop: ['a', 'b', 'c', 'd'] }), /at most 3 stop strings/],
  ])('rejects %s with a 400', (_name, req, message) => {
    const e = error(() => toGenerateWork(req, tokenizer, 100, LIMITS));
    expect(e).toBeInstanceOf(ApiError);
    expect(e.status).toBe(400);
    expect(e.message).toMatch(message);
  });
});
