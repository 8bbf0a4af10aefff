import { type ValidationArguments, ValidationTypes, getMetadataStorage } from 'class-validator';

/** class-transformer's own registry of `@Type(() => …)` (the class plainToInstance would build). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { defaultMetadataStorage } = require('class-transformer/cjs/storage') as {
  defaultMetadataStorage: { findTypeMetadata(target: Function, property: string): { typeFunction?: () => unknown; options?: { discriminator?: unknown } } | undefined };
};

/**
 * A compiled accept-check for batch entries, built once per DTO class from the same class-validator
 * metadata the decorators register (no second schema to keep in sync).
 *
 * It answers only "would class-validator accept this entry, with the options the batch uses
 * (whitelist + forbidNonWhitelisted)?" — running the very same constraint functions — without the
 * per-entry cost of class-transformer (`plainToInstance`) and of class-validator's error bookkeeping.
 * When it says no (or cannot tell), the caller runs class-validator as before, so the errors of a
 * rejected entry (field, reason, allowed values) are exactly the ones class-validator produces.
 * `compileEntryValidator` returns null when a class uses a metadata kind this compiler does not know;
 * the caller then always uses class-validator.
 */
export type EntryCheck = (raw: unknown) => boolean;

type Meta = {
  type: string;
  propertyName: string;
  constraints: unknown[];
  each?: boolean;
  constraintCls: new (...args: unknown[]) => unknown;
  validateIf?: (object: object, value: unknown) => boolean;
  groups?: string[];
  always?: boolean;
};

type ConstraintMeta = { instance: { validate(value: unknown, args?: ValidationArguments): unknown }; async?: boolean };

interface PropertyCheck {
  name: string;
  conditions: Array<(object: object, value: unknown) => boolean>;
  checks: Array<(object: object, value: unknown) => boolean>;
}

const cache = new Map<Function, EntryCheck | null>();

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as object | null;
  return proto === Object.prototype || proto === null;
}

/** The accept-check of one class (memoised), or null when the class uses unsupported metadata. */
export function compileEntryValidator(cls: Function): EntryCheck | null {
  if (cache.has(cls)) return cache.get(cls)!;
  cache.set(cls, null); // recursion guard: a self-referencing class falls back to class-validator
  const compiled = compile(cls);
  cache.set(cls, compiled);
  return compiled;
}

function compile(cls: Function): EntryCheck | null {
  const storage = getMetadataStorage() as unknown as {
    getTargetValidationMetadatas(target: Function, schema: string, always: boolean, strictGroups: boolean, groups?: string[]): Meta[];
    getTargetValidatorConstraints(cls: Function): ConstraintMeta[];
  };
  const metas = storage.getTargetValidationMetadatas(cls, '', false, false, undefined);
  if (!metas.length) return null;
  const byProperty = new Map<string, Meta[]>();
  for (const m of metas) {
    if (m.groups?.length || m.always) return null;
    const list = byProperty.get(m.propertyName) ?? [];
    list.push(m);
    byProperty.set(m.propertyName, list);
  }
  const properties: PropertyCheck[] = [];
  for (const [name, list] of byProperty) {
    const prop: PropertyCheck = { name, conditions: [], checks: [] };
    for (const m of list) {
      if (m.type === ValidationTypes.CONDITIONAL_VALIDATION) {
        prop.conditions.push(m.constraints[0] as (object: object, value: unknown) => boolean);
      } else if (m.type === ValidationTypes.CUSTOM_VALIDATION || m.type === ValidationTypes.IS_DEFINED) {
        const constraints = storage.getTargetValidatorConstraints(m.constraintCls);
        if (!constraints.length || constraints.some((c) => c.async)) return null;
        const each = m.each === true;
        const validateIf = m.validateIf;
        prop.checks.push((object, value) => {
          if (validateIf && !validateIf(object, value)) return true;
          const args: ValidationArguments = { targetName: cls.name, property: name, object, value, constraints: m.constraints };
          for (const c of constraints) {
            if (each && Array.isArray(value)) {
              for (const item of value) if (c.instance.validate(item, args) !== true) return false;
            } else if (c.instance.validate(value, args) !== true) return false;
          }
          return true;
        });
      } else if (m.type === ValidationTypes.NESTED_VALIDATION) {
        const typeMeta = defaultMetadataStorage.findTypeMetadata(cls, name);
        const nestedCls = typeMeta?.typeFunction?.() as Function | undefined;
        if (!nestedCls || typeMeta?.options?.discriminator) return null;
        const nested = compileEntryValidator(nestedCls);
        if (!nested) return null;
        prop.checks.push((_object, value) => {
          if (value === undefined) return true;
          if (Array.isArray(value)) return value.every((v) => isPlainObject(v) && nested(v));
          return isPlainObject(value) && nested(value);
        });
      } else if (m.type === ValidationTypes.WHITELIST) {
        // @Allow(): the property is whitelisted, nothing to check.
      } else {
        return null;
      }
    }
    properties.push(prop);
  }
  const known = new Set(byProperty.keys());
  return (raw: unknown): boolean => {
    if (!isPlainObject(raw)) return false;
    for (const key in raw) if (!known.has(key)) return false;
    for (const p of properties) {
      const value = raw[p.name];
      let applies = true;
      for (const cond of p.conditions) if (!cond(raw, value)) applies = false;
      if (!applies) continue;
      for (const check of p.checks) if (!check(raw, value)) return false;
    }
    return true;
  };
}
