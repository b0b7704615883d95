/** The functions a request offers, as a template writes them. */
export interface OfferedTools {
  tools: ReadonlyArray<{ name: string; description?: string; parameters?: Record<string, unknown> }>;
}

/**
 * The tool definitions as a chat template puts them in the prompt (Hermes style, as Qwen and many
 * others do), so prompt_tokens grows with the tools offered as it does on vLLM.
 */
export function toolsPromptText(offer: OfferedTools | undefined): string | null {
  if (!offer) return null;
  const lines = offer.tools.map((t) =>
    JSON.stringify({ type: 'function', function: { name: t.name, description: t.description ?? '', parameters: t.parameters ?? {} } }),
  );
  return (
    '# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
    `You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n${lines.join('\n')}\n</tools>`
  );
}
