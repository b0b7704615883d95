import { ValidationOptions, registerDecorator } from 'class-validator';

const isPart = (p: unknown): boolean => typeof p === 'object' && p !== null && typeof (p as { type?: unknown }).type === 'string';

/** A message's content: a string, or an array of typed content parts. */
export function IsMessageContent(options?: ValidationOptions) {
  return (target: object, propertyName: string): void =>
    registerDecorator({
      name: 'isMessageContent',
      target: target.constructor,
      propertyName,
      options: { message: '$property must be a string or an array of content parts', ...options },
      validator: { validate: (v: unknown) => typeof v === 'string' || (Array.isArray(v) && v.every(isPart)) },
    });
}
