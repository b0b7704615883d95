import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

/*
 * Small builders for the OpenAPI 3.0 schemas of what the routes answer, so each route family
 * documents its bodies next to its controller, and the helpers that attach them. The e2e test
 * validates real answers against these schemas (test/openapi.e2e-spec.ts).
 */

export type Schema = SchemaObject;

export const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
export const num = (extra: Schema = {}): Schema => ({ type: 'number', ...extra });
export const bool = (extra: Schema = {}): Schema => ({ type: 'boolean', ...extra });
export const arr = (items: Schema, extra: Schema = {}): Schema => ({ type: 'array', items, ...extra });
/** An object with these properties, all required unless listed in `optional`. */
export const obj = (properties: Record<string, Schema>, optional: readonly string[] = []): Schema => ({
  type: 'object',
  properties,
  required: Object.keys(properties).filter((k) => !optional.includes(k)),
});
/** Any JSON object. */
export const anyObject = (extra: Schema = {}): Schema => ({ type: 'object', additionalProperties: true, ...extra });
/** The schema, or null. */
export const nullable = (schema: Schema): Schema => ({ ...schema, nullable: true });
/** A constant string. */
export const literal = (value: string): Schema => ({ type: 'string', enum: [value] });

/** vLLM's UsageInfo. */
export const USAGE_SCHEMA = obj({
  prompt_tokens: int(),
  total_tokens: int(),
  completion_tokens: int(),
  prompt_tokens_details: nullable(obj({ cached_tokens: int() })),
});

/** vLLM's error body. */
export const ERROR_SCHEMA = obj({
  error: obj({ message: str(), type: str(), param: nullable(str()), code: int() }),
});

/**
 * An inference route's documentation: the request body with examples that the server answers 200
 * (the first is what Swagger UI's "Try it out" sends), the 200 body, and vLLM's error body.
 */
export function ApiInference(options: { body: new () => object; examples: Record<string, object>; ok: Schema; streams?: boolean }): MethodDecorator {
  return applyDecorators(
    ApiBody({ type: options.body, examples: Object.fromEntries(Object.entries(options.examples).map(([name, value]) => [name, { value }])) }),
    ApiOkResponse({
      description: options.streams ? 'The JSON body; with `stream: true`, a `text/event-stream` of the chunks or events instead' : 'The JSON body',
      schema: options.ok,
    }),
    ApiResponse({ status: 400, description: "Refused: vLLM's error body", schema: ERROR_SCHEMA }),
  );
}
