/** vLLM's `UsageInfo`. */
export interface Usage {
  prompt_tokens: number;
  total_tokens: number;
  completion_tokens: number;
  prompt_tokens_details: { cached_tokens: number } | null;
}

/** A usage whose unset details are left out rather than null (see `withoutUnsetDetails`). */
export type StreamedUsage = Omit<Usage, 'prompt_tokens_details'> & { prompt_tokens_details?: Usage['prompt_tokens_details'] };

/**
 * `cachedTokens`: what the prefix cache served of the prompt, or null when the server does not
 * report it. As vLLM, `prompt_tokens_details` is filled only with --enable-prompt-tokens-details
 * and only when some tokens were cached; otherwise it is null.
 */
export function usage(promptTokens: number, completionTokens: number, cachedTokens: number | null): Usage {
  return {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + completionTokens,
    completion_tokens: completionTokens,
    prompt_tokens_details: cachedTokens ? { cached_tokens: cachedTokens } : null,
  };
}

/**
 * The usage as vLLM writes it where it dumps with exclude_none / exclude_unset (a stream's final
 * usage chunk; chat's per-chunk usage): without `prompt_tokens_details` unless it was filled.
 */
export function withoutUnsetDetails(u: Usage): StreamedUsage {
  if (u.prompt_tokens_details) return u;
  const { prompt_tokens: p, total_tokens: t, completion_tokens: c } = u;
  return { prompt_tokens: p, total_tokens: t, completion_tokens: c };
}

/** What usage needs of a choice: its prompt, its output so far, and what the prefix cache served. */
export interface UsageSource {
  promptIndex: number;
  promptTokens: number;
  generated: number;
  outcome?: { cachedTokens: number };
}

/** Usage over all choices: each prompt counted once, every choice's output added. */
export function usageOf(choices: readonly UsageSource[], promptDetails: boolean): Usage {
  const prompts = new Map<number, { tokens: number; cached: number }>();
  let completion = 0;
  for (const c of choices) {
    completion += c.generated;
    if (!prompts.has(c.promptIndex)) prompts.set(c.promptIndex, { tokens: c.promptTokens, cached: c.outcome?.cachedTokens ?? 0 });
  }
  let prompt = 0;
  let cached = 0;
  for (const p of prompts.values()) {
    prompt += p.tokens;
    cached += p.cached;
  }
  return usage(prompt, completion, promptDetails ? cached : null);
}
