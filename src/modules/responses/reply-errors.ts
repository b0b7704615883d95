/**
 * A JSON schema (a `response_format` schema or a tool's `parameters`) whose smallest valid value
 * cannot be generated in the tokens the request has: the context window left after the prompt.
 * Doors answer it as a client error (HTTP 400 naming `param`), never by trying to build the value.
 */
export class ReplyBudgetError extends Error {
  constructor(
    /** Where the schema is in the request: `response_format.json_schema.schema`, `tools[1].function.parameters`. */
    readonly origin: string,
    /** Where in the schema the minimum that does not fit is set, e.g. `properties.tags.minItems` ('' = the root). */
    readonly schemaPath: string,
    /** Where in the value that is, e.g. `$.tags`. */
    readonly instancePath: string,
    /** The fewest tokens the schema asks for there (an estimate from below; Infinity when no finite value exists). */
    readonly neededTokens: number,
    /** The most tokens this request can generate. */
    readonly budgetTokens: number,
  ) {
    super(describe(origin, schemaPath, instancePath, neededTokens, budgetTokens));
    this.name = 'ReplyBudgetError';
  }

  /** The request field to name in the error: the schema keyword that sets the minimum. */
  get param(): string {
    return this.schemaPath === '' ? this.origin : `${this.origin}.${this.schemaPath}`;
  }
}

function describe(origin: string, schemaPath: string, instancePath: string, needed: number, budget: number): string {
  const field = schemaPath === '' ? origin : `${origin}.${schemaPath}`;
  if (!Number.isFinite(needed)) {
    return `${field}: no finite value satisfies the schema at ${instancePath} (it requires itself, or nests deeper than the sampler follows), so no output can be generated`;
  }
  return (
    `${field}: the smallest value the schema allows at ${instancePath} needs about ${Math.ceil(needed)} tokens or more, ` +
    `but this request can generate at most ${budget} tokens (the context window left after the prompt)`
  );
}
