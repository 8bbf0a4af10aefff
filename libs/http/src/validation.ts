import { ValidationPipe, type ValidationError } from '@nestjs/common';
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

/** The global validation pipe: unknown properties are rejected, every failure is a 422 problem. */
export const createValidationPipe = (): ValidationPipe =>
  new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => ProblemException.validation(toFieldErrors(errors)),
  });
