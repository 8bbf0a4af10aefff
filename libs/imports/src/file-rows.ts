import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';

/** A cell as read from the file: text (CSV, XLSX text), or a typed XLSX value. */
export type Cell = string | number | boolean | Date | null;

export interface FileRow {
  /** 1-based row of the file (XLSX row number; CSV record number, header = 1). */
  rowNumber: number;
  cells: Cell[];
}

/** Counts the bytes that went through (progress of a streamed file). */
export class ByteCounter {
  bytes = 0;
  async *count(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    for await (const chunk of source) {
      this.bytes += chunk.length;
      yield chunk;
    }
  }
}

async function* decode(source: AsyncIterable<Buffer>, encoding: string): AsyncGenerator<string> {
  if (encoding === 'utf-8') {
    const decoder = new TextDecoder('utf-8'); // strips a BOM
    for await (const chunk of source) yield decoder.decode(chunk, { stream: true });
    yield decoder.decode();
    return;
  }
  const decoder = iconv.getDecoder(encoding === 'latin1' ? 'latin1' : 'win1252');
  for await (const chunk of source) yield decoder.write(chunk);
  const rest = decoder.end();
  if (rest) yield rest;
}

function detectDelimiter(line: string): string {
  let best = ',';
  let max = -1;
  for (const d of [',', ';', '\t', '|']) {
    const n = line.split(d).length - 1;
    if (n > max) {
      max = n;
      best = d;
    }
  }
  return best;
}

/**
 * RFC 4180 CSV, streamed: quoted fields with doubled quotes and embedded line breaks, CRLF or LF.
 * Yields one array of strings per record; the delimiter is detected from the first line when not given.
 */
export async function* parseCsv(text: AsyncIterable<string>, delimiter?: string): AsyncGenerator<string[]> {
  let d = delimiter;
  let field = '';
  let record: string[] = [];
  let quoted = false;
  let afterQuote = false;
  let pendingCr = false;
  for await (const chunk of text) {
    if (!d) {
      const nl = chunk.indexOf('\n');
      d = detectDelimiter(nl >= 0 ? chunk.slice(0, nl) : chunk);
    }
    const out: string[][] = [];
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const c = chunk[i];
      if (quoted) {
        if (c === '"') {
          if (i + 1 < n) {
            if (chunk[i + 1] === '"') {
              field += '"';
              i += 2;
              continue;
            }
            quoted = false;
            afterQuote = true;
            i++;
            continue;
          }
          // Quote at the end of the chunk: decide with the next chunk.
          quoted = false;
          afterQuote = true;
          i++;
          continue;
        }
        const next = chunk.indexOf('"', i);
        const end = next < 0 ? n : next;
        field += chunk.slice(i, end);
        i = end;
        continue;
      }
      if (afterQuote && c === '"') {
        // A doubled quote split across chunks.
        field += '"';
        quoted = true;
        afterQuote = false;
        i++;
        continue;
      }
      afterQuote = false;
      if (pendingCr) {
        pendingCr = false;
        if (c === '\n') {
          i++;
          continue;
        }
      }
      if (c === d) {
        record.push(field);
        field = '';
        i++;
      } else if (c === '\n' || c === '\r') {
        record.push(field);
        field = '';
        out.push(record);
        record = [];
        if (c === '\r') {
          if (i + 1 < n && chunk[i + 1] === '\n') i++;
          else if (i + 1 === n) pendingCr = true;
        }
        i++;
      } else if (c === '"' && field === '') {
        quoted = true;
        i++;
      } else {
        // Plain run up to the next special character.
        let j = i + 1;
        while (j < n) {
          const x = chunk[j];
          if (x === d || x === '\n' || x === '\r') break;
          j++;
        }
        field += chunk.slice(i, j);
        i = j;
      }
    }
    for (const r of out) yield r;
  }
  if (field !== '' || record.length) {
    record.push(field);
    yield record;
  }
}

export interface ReadOptions {
  format: 'csv' | 'xlsx';
  encoding?: string;
  delimiter?: string;
  sheet?: string;
}

/** Rows of a CSV or XLSX file read from a stream of bytes, without holding the file in memory. */
export async function* readRows(source: AsyncIterable<Buffer>, opts: ReadOptions): AsyncGenerator<FileRow> {
  if (opts.format === 'csv') {
    let rowNumber = 0;
    for await (const cells of parseCsv(decode(source, opts.encoding ?? 'utf-8'), opts.delimiter)) {
      rowNumber++;
      yield { rowNumber, cells };
    }
    return;
  }
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from(source), {
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'cache',
    worksheets: 'emit',
    entries: 'emit',
  });
  let done = false;
  for await (const worksheet of reader) {
    const ws = worksheet as unknown as AsyncIterable<ExcelJS.Row> & { name?: string };
    const wanted = !done && (!opts.sheet || ws.name === opts.sheet);
    for await (const row of ws) {
      if (!wanted) continue;
      const values = row.values as unknown[];
      const cells: Cell[] = [];
      for (let c = 1; c < values.length; c++) cells.push(cellValue(values[c]));
      yield { rowNumber: row.number, cells };
    }
    if (wanted) done = true;
  }
}

function cellValue(v: unknown): Cell {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    const o = v as { richText?: Array<{ text: string }>; result?: unknown; text?: unknown; error?: string };
    if (o.richText) return o.richText.map((r) => r.text).join('');
    if ('result' in o) return cellValue(o.result);
    if (typeof o.text === 'string') return o.text;
    if (o.error) return null;
  }
  return String(v as string);
}

/** One CSV line (RFC 4180 quoting; cells starting with = + - @ are prefixed with ' against formula injection). */
export function csvLine(cells: Array<string | number | boolean | null | undefined>): string {
  return (
    cells
      .map((c) => {
        if (c === null || c === undefined) return '';
        let s = String(c);
        if (typeof c === 'string' && /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s)) s = `'${s}`;
        return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
      })
      .join(',') + '\r\n'
  );
}
