import { ValidationOptions, registerDecorator } from 'class-validator';

function define(name: string, check: (value: unknown) => boolean, message: string) {
  return (options?: ValidationOptions) =>
    (target: object, propertyName: string): void =>
      registerDecorator({ name, target: target.constructor, propertyName, options: { message, ...options }, validator: { validate: check } });
}

const isTokenArray = (v: unknown): boolean => Array.isArray(v) && v.every((t) => Number.isInteger(t) && (t as number) >= 0);

/** Token ids: non-negative integers, checked in one pass (a per-item decorator costs microseconds an id). */
export const IsTokenIds = define('isTokenIds', isTokenArray, '$property must be an array of non-negative integer token ids');

export const IsStringOrStringArray = define(
  'isStringOrStringArray',
  (v) => typeof v === 'string' || (Array.isArray(v) && v.every((s) => typeof s === 'string')),
  '$property must be a string or an array of strings',
);

/**
 * A completions prompt: text, texts, token ids, or arrays of token ids. An empty array passes here:
 * vLLM refuses it later, with its own message (NO_PROMPT_MESSAGE).
 */
export const IsPrompt = define(
  'isPrompt',
  (v) => typeof v === 'string' || (Array.isArray(v) && (v.every((s) => typeof s === 'string') || isTokenArray(v) || v.every(isTokenArray))),
  '$property must be a string, an array of strings, an array of token ids, or an array of token-id arrays',
);
