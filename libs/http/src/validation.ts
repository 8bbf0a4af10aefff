import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
import type { FieldErrorDto } from './problem.dto';
import { ProblemException } from './problem.exception';

const escapePointer = (s: string) => s.replace(/~/g, '~0').replace(/\//g, '~1');

/** Flattens class-validator's error tree into field errors with JSON pointers. */
export function toFieldErrors(errors: ValidationError[], base = '#'): FieldErrorDto[] {
  const out: FieldErrorDto[] = [];
  for (const e of errors) {
    const pointer = `${base}/${escapePointer(String(e.property))}`;
    for (const [rule, message] of Object.entries(e.constraints ?? {})) {
      const ctx = (e.contexts?.[rule] ?? {}) as { allowed?: string[]; catalog?: string };
      const fe: FieldErrorDto = { pointer, detail: message, rule };
      if (ctx.allowed) fe.allowed = ctx.allowed;
      if (ctx.catalog) fe.catalog = ctx.catalog;
      if (rule === 'whitelistValidation') fe.detail = `property ${String(e.property)} is not allowed`;
      out.push(fe);
    }
    if (e.children?.length) out.push(...toFieldErrors(e.children, pointer));
  }
  return out;
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Pointers of the strings (values or keys) that are not well-formed Unicode: lone surrogates arrive
 * through JSON escapes like `\ud800`, cannot be stored as UTF-8 and are never legitimate data.
 */
export function malformedUnicode(value: unknown, base = '#'): string[] {
  const out: string[] = [];
  const stack: Array<[unknown, string]> = [[value, base]];
  while (stack.length && out.length < 20) {
    const [v, pointer] = stack.pop()!;
    if (typeof v === 'string') {
      if (LONE_SURROGATE.test(v)) out.push(pointer);
    } else if (v && typeof v === 'object') {
      for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
        if (LONE_SURROGATE.test(k)) out.push(`${pointer}/${escapePointer(k.replace(/\p{Cs}/gu, '\uFFFD'))}`);
        else stack.push([child, `${pointer}/${escapePointer(k)}`]);
      }
    }
  }
  return out;
}

/**
 * Keys named like Object.prototype members (`toString`, `constructor`…) are dropped silently by
 * class-transformer instead of reaching the whitelist check; no DTO has such a field, so they are
 * rejected here like any other unknown property.
 */
const PROTOTYPE_KEYS = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export function prototypeKeys(value: unknown, base = '#'): string[] {
  const out: string[] = [];
  const stack: Array<[unknown, string]> = [[value, base]];
  while (stack.length && out.length < 20) {
    const [v, pointer] = stack.pop()!;
    if (!v || typeof v !== 'object') continue;
    for (const [k, child] of Object.entries(v as Record<string, unknown>)) {
      const at = `${pointer}/${escapePointer(k)}`;
      if (PROTOTYPE_KEYS.has(k)) out.push(at);
      else stack.push([child, at]);
    }
  }
  return out;
}

/** The global validation pipe: unknown properties are rejected, every failure is a 422 problem. */
class ProblemValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const malformed = metadata.type === 'custom' ? [] : malformedUnicode(value, metadata.type === 'param' && metadata.data ? `#/${metadata.data}` : '#');
    if (malformed.length) {
      throw ProblemException.validation(malformed.map((pointer) => ({ pointer, detail: 'not well-formed Unicode (lone surrogate)', rule: 'unicode' })));
    }
    const reserved = metadata.type === 'body' || metadata.type === 'query' ? prototypeKeys(value) : [];
    if (reserved.length) {
      throw ProblemException.validation(reserved.map((pointer) => ({ pointer, detail: 'property is not allowed', rule: 'whitelistValidation' })));
    }
    return super.transform(value, metadata);
  }
}

export const createValidationPipe = (): ValidationPipe =>
  new ProblemValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ProblemException.validation(toFieldErrors(errors)),
  });
