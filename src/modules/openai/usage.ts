/** vLLM's `UsageInfo`. */
export interface Usage {
  prompt_tokens: number;
  total_tokens: number;
  completion_tokens: number;
  prompt_tokens_details: { cached_tokens: number } | null;
}

/**
 * `prompt_tokens_details` is filled only when the server reports prompt token details
 * (vLLM's --enable-prompt-tokens-details); prefix caching is on by default, so is this.
 */
export function usage(promptTokens: number, completionTokens: number, cachedTokens: number | null): Usage {
  return {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + completionTokens,
    completion_tokens: completionTokens,
    prompt_tokens_details: cachedTokens === null ? null : { cached_tokens: cachedTokens },
  };
}
