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
