import { ApiError } from '../api/api-error';

/** What clients know the served model by: names, context window, creation time. */
export class ServedModel {
  /** Unix seconds, as vLLM's `created` fields. */
  readonly created = Math.floor(Date.now() / 1000);

  constructor(
    /** Names clients may send; the first is echoed in responses. */
    readonly names: readonly string[],
    /** The `--model` value (`root` in /v1/models). */
    readonly root: string,
    readonly maxModelLen: number,
  ) {}

  get name(): string {
    return this.names[0];
  }

  /** The served name for a request's `model` field; unset means the default, as vLLM allows. */
  resolve(requested: string | undefined | null): string {
    if (requested === undefined || requested === null || requested === '') return this.name;
    if (!this.names.includes(requested)) throw ApiError.modelNotFound(requested);
    return requested;
  }
}
