import type { FieldErrorDto } from '@app/http';
import { isRealDate, today } from './catalog-code';

/** Helpers shared by record-kind definitions (libs/records/src/<kind>/<kind>-kind.ts). */

/** Splits a document into data and personal data by field name. */
export function splitByFields(doc: object, piiFields: readonly string[]): { data: Record<string, unknown>; pii: Record<string, unknown> | null } {
  const data: Record<string, unknown> = {};
  const pii: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(doc)) {
    if (val === undefined) continue;
    if (piiFields.includes(k)) pii[k] = val;
    else data[k] = val;
  }
  return { data, pii: Object.keys(pii).length ? pii : null };
}

/** Rejects impossible dates: not a calendar date, or in the future. */
export function checkDates(doc: Record<string, unknown>, fields: string[], errors: FieldErrorDto[], base = ''): void {
  const now = today();
  for (const f of fields) {
    const v = doc[f] as string | undefined;
    if (!isRealDate(v)) errors.push({ pointer: `${base}/${f}`, detail: `${f} is not a calendar date`, rule: 'date' });
    else if (v && v > now) errors.push({ pointer: `${base}/${f}`, detail: `${f} is in the future`, rule: 'not-future' });
  }
}
