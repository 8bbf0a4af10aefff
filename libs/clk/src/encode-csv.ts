import { ClkEncoder, CURRENT_CLK_SCHEMA } from './clk';

/** Minimal RFC 4180 CSV parser (quoted fields, doubled quotes, CRLF or LF; a leading BOM is ignored). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const s = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quoted) {
      if (c === '"' && s[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && s[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

export const CLK_INPUT_COLUMNS = ['localId', 'firstName', 'middleName', 'paternalSurname', 'maternalSurname'] as const;

export interface EncodedRow {
  localId: string;
  clk: { schema: string; encoding: string; keyCheck: string } | null;
}

/**
 * Encodes a CSV of identifying fields (header with `localId` and any of firstName, middleName,
 * paternalSurname, maternalSurname; other columns are ignored and never read) into CLKs. Throws on a
 * missing `localId` column. Rows without any name get `clk: null`.
 */
export function encodeCsv(text: string, secret: string, schemaId: string = CURRENT_CLK_SCHEMA): EncodedRow[] {
  const rows = parseCsv(text);
  if (!rows.length) return [];
  const header = rows[0].map((h) => h.trim());
  const col = (name: string) => header.indexOf(name);
  if (col('localId') < 0) throw new Error(`the CSV header must have a localId column (and any of ${CLK_INPUT_COLUMNS.slice(1).join(', ')})`);
  if (!CLK_INPUT_COLUMNS.slice(1).some((c) => col(c) >= 0)) throw new Error(`the CSV header has none of ${CLK_INPUT_COLUMNS.slice(1).join(', ')}`);
  const enc = new ClkEncoder(secret, schemaId);
  const get = (r: string[], name: string) => (col(name) >= 0 ? (r[col(name)] ?? '').trim() || undefined : undefined);
  return rows.slice(1).map((r) => {
    const encoding = enc.encodeBase64({
      firstName: get(r, 'firstName'),
      middleName: get(r, 'middleName'),
      paternalSurname: get(r, 'paternalSurname'),
      maternalSurname: get(r, 'maternalSurname'),
    });
    return { localId: get(r, 'localId') ?? '', clk: encoding ? { schema: enc.schema.id, encoding, keyCheck: enc.keyCheck } : null };
  });
}

/** Output as CSV (`localId,schema,keyCheck,clk`) or JSON lines (`{"localId","clk":{…}}`, ready for the victims API). */
export function formatEncoded(rows: EncodedRow[], format: 'csv' | 'jsonl'): string {
  if (format === 'jsonl') return rows.map((r) => JSON.stringify(r)).join('\n') + (rows.length ? '\n' : '');
  const q = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  return ['localId,schema,keyCheck,clk', ...rows.map((r) => [q(r.localId), r.clk?.schema ?? '', r.clk?.keyCheck ?? '', r.clk?.encoding ?? ''].join(','))].join('\n') + '\n';
}
