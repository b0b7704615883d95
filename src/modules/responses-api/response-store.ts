import { Inject, Injectable } from '@nestjs/common';
import { SETTINGS } from '../../config/config.module';
import { Settings } from '../../config/settings';
import { ConversationTurn } from '../responses/responses.types';

/** A stored response: its body as answered, and the conversation it answered (without instructions). */
export interface StoredResponse {
  body: ResponseBody;
  turns: readonly ConversationTurn[];
}

/** The parts of a response body the store and the next turn read. */
export interface ResponseBody {
  id: string;
  status: string;
  output: ReadonlyArray<Record<string, unknown>>;
  [field: string]: unknown;
}

/**
 * vLLM's Responses API store (VLLM_ENABLE_RESPONSES_API_STORE): responses by id, for
 * `previous_response_id`, `GET /v1/responses/{id}` and item references. vLLM never evicts (its
 * log warns of the leak); this one keeps the most recent `--max-stored-responses` and forgets the
 * oldest first. Off (vLLM's default), `store: true` is ignored and nothing is kept.
 */
@Injectable()
export class ResponseStore {
  private readonly entries = new Map<string, StoredResponse>();

  constructor(@Inject(SETTINGS) private readonly settings: Settings) {}

  get enabled(): boolean {
    return this.settings.responses_store;
  }

  get(id: string): StoredResponse | undefined {
    return this.entries.get(id);
  }

  put(entry: StoredResponse): void {
    if (!this.enabled) return;
    this.entries.delete(entry.body.id);
    this.entries.set(entry.body.id, entry);
    while (this.entries.size > this.settings.max_stored_responses) this.entries.delete(this.entries.keys().next().value!);
  }

  /** An output item of any stored response, by its id (an `item_reference`). */
  item(id: string): Record<string, unknown> | undefined {
    for (const entry of this.entries.values()) {
      const found = entry.body.output.find((item) => item.id === id);
      if (found) return found;
    }
    return undefined;
  }
}
