import { SamplingDto } from '../http/dto/sampling.dto';
import { ApiError } from '../api/api-error';
import { checkPromptTokens, checkSampling, checkSequences, checkTokenIdsInVocabulary, effectiveMaxTokens, RequestLimits, stopList } from '../api/request-checks';
import { encodePromptYielding, Tokenizer } from '../tokenizer/tokenizer.types';
import { GenerateRequest, SamplingParams, TokenizedInput } from './vllm-engine.types';

/** A GenerateRequest checked and translated into what the Generation module needs. */
export interface GenerateWork {
  promptText: string;
  promptTokenIds: number[];
  n: number;
  /** max_tokens after the context-window checks (unset: the rest of the window, as vLLM). */
  maxTokens: number;
  /** max_tokens as sent (for metrics), else the effective value. */
  maxTokensParam: number;
  minTokens: number;
  ignoreEos: boolean;
  stop: string[];
  stopTokenIds: number[];
  includeStopStr: boolean;
  seed?: number;
}

const bad = (message: string, param: string | null = null): never => {
  throw ApiError.badRequest(message, param);
};

/** The prompt of a `text` or `tokenized` input, with its token ids. */
export function promptOf(input: { text?: string; tokenized?: TokenizedInput | null }, tokenizer: Tokenizer): { text: string; tokenIds: number[] } {
  if (input.tokenized) {
    const ids = input.tokenized.input_ids;
    checkTokenIdsInVocabulary(ids, tokenizer.vocabSize, 'input_ids');
    return { text: input.tokenized.original_text || tokenizer.decode(ids), tokenIds: [...ids] };
  }
  const text = input.text ?? '';
  return { text, tokenIds: text === '' ? [] : tokenizer.encodePrompt(text) };
}

/** promptOf, with a long text encoded in slices so the event loop (every stream's steps) keeps turning. */
export async function promptOfYielding(input: { text?: string; tokenized?: TokenizedInput | null }, tokenizer: Tokenizer): Promise<{ text: string; tokenIds: number[] }> {
  if (input.tokenized || !input.text) return promptOf(input, tokenizer);
  return { text: input.text, tokenIds: await encodePromptYielding(tokenizer, input.text) };
}

/**
 * Validates a GenerateRequest with vLLM's rules and messages (they reach the client as
 * INVALID_ARGUMENT). Proto3 zero values mean "unset" for the fields whose zero is not a valid
 * setting (n, top_p, repetition_penalty), as vLLM's gRPC server reads them.
 */
export function toGenerateWork(
  req: GenerateRequest,
  tokenizer: Tokenizer,
  maxModelLen: number,
  limits: RequestLimits,
  prompt: { text: string; tokenIds: number[] } = promptOf(req, tokenizer),
): GenerateWork {
  if (req.input !== 'text' && req.input !== 'tokenized') bad('GenerateRequest needs an input: set `text` or `tokenized`.', 'input');
  checkPromptTokens(prompt.tokenIds, tokenizer.vocabSize, 'input');

  const p: Partial<SamplingParams> = req.sampling_params ?? {};
  const n = p.n || 1;
  const sampling: SamplingDto = {
    n,
    max_tokens: p.max_tokens ?? undefined,
    min_tokens: p.min_tokens || undefined,
    temperature: p.temperature ?? undefined,
    top_p: p.top_p || undefined,
    min_p: p.min_p || undefined,
    presence_penalty: p.presence_penalty || undefined,
    frequency_penalty: p.frequency_penalty || undefined,
    repetition_penalty: p.repetition_penalty || undefined,
    stop: p.stop ?? undefined,
    stop_token_ids: p.stop_token_ids ?? undefined,
  };
  checkSampling(sampling, limits);
  checkSequences(1, n, limits);
  const maxTokens = effectiveMaxTokens(p.max_tokens ?? null, null, prompt.tokenIds.length, maxModelLen);
  if ((p.min_tokens ?? 0) > maxTokens) bad(`min_tokens must be less than or equal to max_tokens=${maxTokens}, got ${p.min_tokens}.`, 'min_tokens');
  return {
    promptText: prompt.text,
    promptTokenIds: prompt.tokenIds,
    n,
    maxTokens,
    maxTokensParam: p.max_tokens ?? maxTokens,
    minTokens: p.min_tokens ?? 0,
    ignoreEos: p.ignore_eos === true,
    stop: stopList(p.stop ?? []),
    stopTokenIds: [...(p.stop_token_ids ?? [])],
    includeStopStr: p.include_stop_str_in_output === true,
    seed: p.seed ?? undefined,
  };
}
