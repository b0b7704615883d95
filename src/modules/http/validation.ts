import { ArgumentMetadata, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage';
import { validateSync } from 'class-validator';
import { Settings } from '../../config/settings';
import { ApiError } from '../api/api-error';
import { fastCheck } from './compiled-validation';

function flatten(errors: ValidationError[], parent = ''): Array<{ path: string; message: string }> {
  const out: Array<{ path: string; message: string }> = [];
  for (const e of errors) {
    const path = parent ? (/^\d+$/.test(e.property) ? `${parent}[${e.property}]` : `${parent}.${e.property}`) : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ path, message: message.startsWith(e.property) ? message.replace(e.property, path) : `${path}: ${message}` });
    if (e.children?.length) out.push(...flatten(e.children, path));
  }
  return out;
}

/** class-validator errors as one 400: every failing field named by its path (`messages[0].role`). */
export function validationFailure(errors: ValidationError[]): ApiError {
  const flat = flatten(errors);
  return ApiError.badRequest(flat.map((f) => f.message).join('; ') || 'Invalid request body', flat[0]?.path ?? null);
}

/** The limit of an array field: a number, or the name of the setting that holds it. */
type ItemLimit = number | keyof { [K in keyof Settings as Settings[K] extends number ? K : never]: true };

interface ItemLimitRule {
  property: string;
  limit: ItemLimit;
}

const ITEM_LIMITS = Symbol('itemLimits');

/**
 * At most `limit` items in this array field (a number, or a setting's name). Checked on the body
 * as it arrived, before anything walks the field: a list of a million messages or tools must be
 * refused at once, not validated item by item first.
 */
export function MaxItems(limit: ItemLimit) {
  return (target: object, property: string): void => {
    const rules = (Reflect.getOwnMetadata(ITEM_LIMITS, target.constructor) as ItemLimitRule[] | undefined) ?? [];
    Reflect.defineMetadata(ITEM_LIMITS, [...rules, { property, limit }], target.constructor);
  };
}

/** A DTO class (or any class: only its metadata is read). */
type DtoClass = abstract new (...args: never[]) => object;

/** Item limits by class: decorators have all run by the first request, so each class is read once. */
const itemLimitCache = new WeakMap<DtoClass, ItemLimitRule[]>();

function itemLimitsOf(cls: DtoClass): ItemLimitRule[] {
  const cached = itemLimitCache.get(cls);
  if (cached) return cached;
  const rules: ItemLimitRule[] = [];
  for (let c: DtoClass | null = cls; c && (c as unknown) !== Object; c = Object.getPrototypeOf(c) as DtoClass | null) {
    rules.push(...((Reflect.getOwnMetadata(ITEM_LIMITS, c) as ItemLimitRule[] | undefined) ?? []));
  }
  itemLimitCache.set(cls, rules);
  return rules;
}

/** Throws the 400 for the first array field of `body` longer than its limit. */
export function checkItemLimits(cls: DtoClass, body: Record<string, unknown>, settings: Settings): void {
  for (const { property, limit } of itemLimitsOf(cls)) {
    const value = body[property];
    const max = typeof limit === 'number' ? limit : settings[limit];
    if (Array.isArray(value) && value.length > max) {
      const how = typeof limit === 'number' ? '' : ` (--${limit.replace(/_/g, '-')})`;
      throw ApiError.badRequest(`${property}: at most ${max} items are accepted, got ${value.length}${how}.`, property);
    }
  }
}

/**
 * The plain body as an instance of its DTO class, nested DTOs (`@Type`) included, for
 * class-validator. Unlike class-transformer's plainToInstance it never walks what has no nested
 * DTO (a prompt of token ids, an unknown extra field), so its cost follows the declared structure,
 * not the body's size. Values are not converted: a string stays a string, and validation says so.
 */
export function toDto<T extends object>(cls: new () => T, plain: Record<string, unknown>): T {
  const out = Object.assign(new cls(), plain) as Record<string, unknown>;
  for (const key of Object.keys(plain)) {
    const nested = nestedTypeOf(cls, key);
    if (!nested) continue;
    const value = plain[key];
    out[key] = Array.isArray(value) ? value.map((item: unknown) => nestedDto(nested, item)) : nestedDto(nested, value);
  }
  return out as T;
}

/** `@Type` of a DTO's properties, by class and property (null: none), read once each. */
const nestedTypes = new WeakMap<object, Map<string, (new () => object) | null>>();

function nestedTypeOf(cls: new () => object, key: string): (new () => object) | null {
  let byKey = nestedTypes.get(cls);
  if (!byKey) nestedTypes.set(cls, (byKey = new Map()));
  let nested = byKey.get(key);
  if (nested === undefined) {
    const meta = defaultMetadataStorage.findTypeMetadata(cls, key);
    nested = meta ? (meta.typeFunction() as new () => object) : null;
    // Keys without a type are remembered only up to a bound: a client's unknown keys must not grow the map.
    if (meta || byKey.size < 256) byKey.set(key, nested);
  }
  return nested;
}

function nestedDto(cls: new () => object, value: unknown): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? toDto(cls, value as Record<string, unknown>) : value;
}

const VALIDATOR_OPTIONS = { forbidUnknownValues: false, validationError: { target: false, value: false } } as const;

/**
 * Request bodies are validated by their DTOs; a failure is vLLM's 400 naming the field (never 422).
 * Unknown fields are ignored, as vLLM ignores extras. Query strings and parameters go through Nest's
 * ValidationPipe (they are small, and need its type conversion).
 */
@Injectable()
export class RequestValidationPipe implements PipeTransform {
  private readonly others = new ValidationPipe({
    transform: true,
    whitelist: false,
    forbidUnknownValues: false,
    validationError: { target: false, value: false },
    exceptionFactory: validationFailure,
  });

  constructor(private readonly settings: Settings) {}

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    const cls = metadata.metatype as (new () => object) | undefined;
    if (metadata.type !== 'body' || !cls || isBuiltIn(cls)) return this.others.transform(value, metadata);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw ApiError.badRequest('The request body must be a JSON object');
    const body = value as Record<string, unknown>;
    checkItemLimits(cls, body, this.settings);
    const dto = toDto(cls, body);
    // The common case, a valid body, is proven by the compiled pre-check; anything else gets
    // class-validator's own verdict and messages.
    if (fastCheck(dto)) return dto;
    const errors = validateSync(dto, VALIDATOR_OPTIONS);
    if (errors.length > 0) throw validationFailure(errors);
    return dto;
  }
}

function isBuiltIn(cls: unknown): boolean {
  return [String, Boolean, Number, Array, Object].includes(cls as never);
}
