import { registerDecorator, type ValidationArguments, type ValidationOptions } from 'class-validator';
import { CLK_SCHEMAS, decodeClk } from './clk';

/**
 * Key checks (see `clkKeyCheck`) of the secrets this server holds, registered at start-up by the
 * matching module when CLK_SECRET is configured. Empty: the server does not accept CLKs.
 */
const serverKeyChecks = new Map<string, string>();
export function registerServerClkKeyCheck(schemaId: string, keyCheck: string | null): void {
  if (keyCheck) serverKeyChecks.set(schemaId, keyCheck);
  else serverKeyChecks.delete(schemaId);
}
export const serverClkKeyCheck = (schemaId: string): string | undefined => serverKeyChecks.get(schemaId);

/**
 * The `encoding` of a CLK object: canonical base64 of exactly bits/8 bytes of the object's `schema`,
 * not all zeros; and the server must hold a CLK secret. The message names the reason and the length.
 */
export function IsClkEncoding(options: ValidationOptions = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'clkEncoding',
      target: target.constructor,
      propertyName: propertyName as string,
      options: {
        ...options,
        message: (args: ValidationArguments) => {
          const schema = (args.object as { schema?: unknown }).schema;
          if (typeof schema !== 'string' || !CLK_SCHEMAS[schema]) return 'encoding cannot be checked: unknown schema';
          if (!serverKeyChecks.has(schema)) return 'this server does not accept CLKs (CLK_SECRET is not configured)';
          const r = typeof args.value === 'string' ? decodeClk(args.value, schema) : { ok: false as const, reason: 'base64' as const };
          if (r.ok) return 'invalid';
          if (r.reason === 'length') return `encoding must be ${r.expected} bytes (${CLK_SCHEMAS[schema].bits} bits) for schema ${schema}, got ${r.got} bytes`;
          if (r.reason === 'empty') return 'encoding has no bit set (nothing was encoded)';
          return 'encoding must be canonical base64 (RFC 4648, with padding)';
        },
      },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const schema = (args.object as { schema?: unknown }).schema;
          if (typeof value !== 'string' || typeof schema !== 'string' || !CLK_SCHEMAS[schema]) return typeof schema !== 'string' || !CLK_SCHEMAS[schema];
          return serverKeyChecks.has(schema) && decodeClk(value, schema).ok;
        },
      },
    });
}

/** `keyCheck`, when given, must be the check value of the server's secret for the object's schema. */
export function IsServerClkKeyCheck(options: ValidationOptions = {}): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'clkKeyCheck',
      target: target.constructor,
      propertyName: propertyName as string,
      options: { message: 'keyCheck does not match: the CLK was made with another secret than the one shared with this server', ...options },
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const schema = (args.object as { schema?: unknown }).schema;
          const expected = typeof schema === 'string' ? serverKeyChecks.get(schema) : undefined;
          return expected === undefined || value === expected;
        },
      },
    });
}
