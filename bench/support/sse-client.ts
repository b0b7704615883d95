/** What a streaming client saw of one chat completion. Times are `now()` readings (ms). */
export interface StreamResult {
  /** The completion id of the chunks. */
  id?: string;
  sentAt: number;
  /** Arrival of every chunk carrying a token (its content may be empty: a token that completes no text yet), in order. */
  contentAt: number[];
  doneAt?: number;
  usage?: { prompt_tokens: number; completion_tokens: number };
  error?: string;
}

interface Chunk {
  id?: string;
  choices?: Array<{ delta?: { role?: string; content?: string | null } }>;
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
}

/**
 * POSTs a streaming chat completion and timestamps its SSE events as they arrive: TTFT is the first
 * token chunk, ITL the gaps between token chunks, E2E the `[DONE]` event.
 */
export async function streamChat(
  url: string,
  body: object,
  now: () => number = () => performance.now(),
  headers: Record<string, string> = {},
): Promise<StreamResult> {
  const result: StreamResult = { sentAt: now(), contentAt: [] };
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ ...body, stream: true, stream_options: { include_usage: true } }),
    });
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const bytes of res.body as unknown as AsyncIterable<Uint8Array>) {
      const at = now();
      buffer += decoder.decode(bytes, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const event = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        if (!event.startsWith('data: ')) continue;
        const data = event.slice(6);
        if (data === '[DONE]') {
          result.doneAt = at;
          continue;
        }
        const chunk = JSON.parse(data) as Chunk;
        result.id ??= chunk.id;
        if (chunk.usage) result.usage = chunk.usage;
        // One chunk per token; the role chunk (content "") that opens the stream is not a token.
        const delta = chunk.choices?.[0]?.delta;
        if (delta && typeof delta.content === 'string' && delta.role === undefined) result.contentAt.push(at);
      }
    }
  } catch (err) {
    result.error = (err as Error).message;
  }
  return result;
}
