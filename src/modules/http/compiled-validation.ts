import { getMetadataStorage, ValidationArguments, ValidationTypes } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';

/**
 * A fast yes/no over a DTO's class-validator decorators, for the body of every inference request.
 *
 * class-validator itself spends most of a small request's validation looking up and grouping the
 * class's metadata and building error objects, even when nothing fails. This runs the very same
 * validators (the constraint instances the decorators registered, with the same arguments) in the
 * order class-validator does, from a plan built once per class, and answers only "every one
 * passes". It is a pre-check, not a second validator: when it says no, or meets anything it does
 * not model (async validators, promise validation), the caller runs class-validator, whose errors
 * are the 400's messages. So the DTOs stay the one source of validation, and messages cannot differ.
 */
export type FastCheck = (dto: object) => boolean;

type Validate = (value: unknown, args: ValidationArguments) => unknown;

interface PropertyPlan {
  property: string;
  /** IsOptional / ValidateIf: when one says no, class-validator skips the property. */
  conditions: Array<(object: object, value: unknown) => boolean>;
  /** IsDefined first, then the other validators, as class-validator runs them. */
  validators: Array<{ metadata: ValidationMetadata; validate: Validate }>;
  nested: boolean;
}

type ClassPlan = PropertyPlan[] | 'unsupported';

const plans = new WeakMap<object, ClassPlan>();

function planOf(cls: object): ClassPlan {
  let plan = plans.get(cls);
  if (!plan) plans.set(cls, (plan = buildPlan(cls)));
  return plan;
}

function buildPlan(cls: object): ClassPlan {
  const storage = getMetadataStorage();
  // The same selection class-validator's executor makes (no groups, `always` off, strict groups off).
  const grouped = storage.groupByPropertyName(storage.getTargetValidationMetadatas(cls as never, '', false, false, undefined));
  const out: PropertyPlan[] = [];
  for (const [property, metadatas] of Object.entries(grouped)) {
    const plan: PropertyPlan = { property, conditions: [], validators: [], nested: false };
    const defined: PropertyPlan['validators'] = [];
    for (const metadata of metadatas) {
      switch (metadata.type) {
        case ValidationTypes.WHITELIST:
          break;
        case ValidationTypes.CONDITIONAL_VALIDATION:
          plan.conditions.push(metadata.constraints[0] as (object: object, value: unknown) => boolean);
          break;
        case ValidationTypes.NESTED_VALIDATION:
          plan.nested = true;
          break;
        case ValidationTypes.IS_DEFINED:
        case ValidationTypes.CUSTOM_VALIDATION: {
          if (metadata.validateIf) return 'unsupported';
          for (const constraint of storage.getTargetValidatorConstraints(metadata.constraintCls)) {
            if (constraint.async) return 'unsupported';
            const instance = constraint.instance as { validate: Validate };
            (metadata.type === ValidationTypes.IS_DEFINED ? defined : plan.validators).push({ metadata, validate: instance.validate.bind(instance) });
          }
          break;
        }
        default:
          return 'unsupported';
      }
    }
    plan.validators.unshift(...defined);
    out.push(plan);
  }
  return out;
}

/** True when class-validator would find nothing wrong with `object` (an instance of its DTO class). */
function passes(object: object, depth: number): boolean {
  // Bodies are depth-bounded before validation; this bound only keeps the recursion finite.
  if (depth > 64) return false;
  const plan = planOf(object.constructor);
  if (plan === 'unsupported') return false;
  for (const p of plan) {
    const value = (object as Record<string, unknown>)[p.property];
    let skip = false;
    for (const condition of p.conditions) if (!condition(object, value)) skip = true;
    if (skip) continue;
    for (const { metadata, validate } of p.validators) {
      const args: ValidationArguments = { targetName: object.constructor.name, property: metadata.propertyName, object, value, constraints: metadata.constraints };
      if (metadata.each && Array.isArray(value)) {
        for (const item of value) if (!accepted(validate(item, args))) return false;
      } else if (!accepted(validate(value, args))) return false;
    }
    if (p.nested && value !== undefined && !nestedPasses(value, depth)) return false;
  }
  return true;
}

/** A synchronous yes; a promise (an async validator) is not modelled here. */
function accepted(result: unknown): boolean {
  return result === true || (!!result && typeof (result as { then?: unknown }).then !== 'function');
}

function nestedPasses(value: unknown, depth: number): boolean {
  if (Array.isArray(value)) {
    // Items are validated one by one; an item that is not an object is class-validator's error.
    for (const item of value) if (!isPlainItem(item) || !passes(item, depth + 1)) return false;
    return true;
  }
  return isPlainItem(value) && passes(value, depth + 1);
}

/** An object (not an array, Set or Map) as nested validation takes it. */
function isPlainItem(value: unknown): value is object {
  return value instanceof Object && !Array.isArray(value) && !(value instanceof Set) && !(value instanceof Map);
}

/** The fast pre-check of `dto` (see FastCheck): true means class-validator would report no error. */
export const fastCheck: FastCheck = (dto) => passes(dto, 0);
