import { crosswalkKey } from '@app/catalogs';
import type { Cell } from './file-rows';
import type { ImportProfileBodyDto } from './imports.dto';
import { type FieldColumn, fold, lookupCode } from './record-columns';

/** localId of the template's example row: rows with it are skipped. */
export const EXAMPLE_LOCAL_ID = 'EJEMPLO';

export interface RowError {
  rowNumber: number;
  localId: string | null;
  column: string | null;
  value: string | null;
  reason: string;
  rule: string | null;
  pointer: string | null;
}

export interface MappedRow {
  rowNumber: number;
  localId: string | null;
  entry?: Record<string, unknown>;
  /** Raw cells by column index (for error values). */
  cells: Cell[];
  errors: RowError[];
  skip?: boolean;
}

interface Bound {
  index: number;
  header: string;
  path: string;
  segments: string[];
  field?: FieldColumn;
}

const pad = (n: number) => String(n).padStart(2, '0');
const isoOfDate = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const TRUE = new Set(['true', 'si', 'sí', 'yes', '1', 'verdadero', 'x', 's', 'y']);
const FALSE = new Set(['false', 'no', '0', 'falso', 'n']);

/**
 * Maps the rows of an agency's file to batch entries of a record kind through a profile. It converts
 * cells (dates, numbers, booleans, lists, codes via the profile's value maps, the agency's crosswalks,
 * and catalog codes/labels) and leaves every rule to the kind's validation (RecordsService.batch);
 * it translates the field pointers of rejected entries back to the file's columns.
 */
export class RowMapper {
  private bound: Bound[] = [];
  private readonly fieldByPath = new Map<string, FieldColumn>();
  private readonly known = new Map<string, string>(); // folded header → path
  private readonly profileColumns = new Map<string, string>(); // folded header → path
  private readonly separator: string;
  private readonly dateFormat: string;
  ignored: string[] = [];

  constructor(
    readonly fields: FieldColumn[],
    private readonly profile: Partial<ImportProfileBodyDto>,
    private readonly crosswalks: Map<string, string>,
  ) {
    for (const f of fields) {
      this.fieldByPath.set(f.path, f);
      for (const h of [f.headerEs, f.headerEn, f.path]) if (!this.known.has(fold(h))) this.known.set(fold(h), f.path);
    }
    for (const [header, path] of Object.entries(profile.columns ?? {})) this.profileColumns.set(fold(header), path.replace(/^\//, '').replace(/\//g, '.'));
    this.separator = profile.listSeparator ?? '|';
    this.dateFormat = profile.dateFormat ?? 'dd/mm/yyyy';
  }

  get hasLocalIdColumn(): boolean {
    return this.bound.some((b) => b.path === 'localId');
  }

  get hasHeader(): boolean {
    return this.bound.length > 0;
  }

  /** Binds the header row; returns false when no column maps to a field. */
  bindHeader(cells: Cell[]): boolean {
    this.bound = [];
    this.ignored = [];
    cells.forEach((c, index) => {
      const header = c === null ? '' : String(c).trim();
      if (!header) return;
      const path = this.profileColumns.get(fold(header)) ?? this.known.get(fold(header));
      if (!path) {
        this.ignored.push(header);
        return;
      }
      this.bound.push({ index, header, path, segments: path.split('.'), field: this.fieldByPath.get(path) });
    });
    return this.bound.length > 0;
  }

  /** A second header row (the template has Spanish and English headers): every filled cell is a known header. */
  isHeaderRow(cells: Cell[]): boolean {
    const filled = cells.filter((c) => c !== null && String(c).trim() !== '');
    return filled.length > 0 && filled.every((c) => typeof c === 'string' && (this.known.has(fold(c)) || this.profileColumns.has(fold(c))));
  }

  /** The localId cell of a row (cheap: used to rebuild the duplicate check when a job resumes). */
  localIdOf(cells: Cell[]): string | null {
    const b = this.bound.find((x) => x.path === 'localId');
    const v = b ? cells[b.index] : null;
    return v === null || v === undefined ? null : String(v).trim() || null;
  }

  map(rowNumber: number, cells: Cell[]): MappedRow {
    const errors: RowError[] = [];
    const entry: Record<string, unknown> = {};
    let any = false;
    for (const b of this.bound) {
      const cell = cells[b.index];
      if (cell === null || cell === undefined || (typeof cell === 'string' && cell.trim() === '')) continue;
      any = true;
      const converted = this.convert(b, cell);
      if ('error' in converted) {
        errors.push({ rowNumber, localId: null, column: b.header, value: this.shown(b, cell), reason: converted.error, rule: 'cell', pointer: `/${b.segments.join('/')}` });
        continue;
      }
      setPath(entry, b.segments, converted.value);
    }
    const localId = typeof entry.localId === 'string' ? entry.localId : null;
    for (const e of errors) e.localId = localId;
    if (!any) return { rowNumber, localId, cells, errors: [], skip: true };
    if (localId && localId.toUpperCase() === EXAMPLE_LOCAL_ID) return { rowNumber, localId, cells, errors: [], skip: true };
    return errors.length ? { rowNumber, localId, cells, errors } : { rowNumber, localId, cells, entry, errors };
  }

  /** The column (and the cell's value) a field pointer of the record document (`/names/firstName`, `/nationality/1`) comes from. */
  locate(pointer: string, cells: Cell[]): { column: string | null; value: string | null } {
    const segs = pointer.replace(/^#?\//, '').split('/').filter(Boolean);
    let best: Bound | undefined;
    for (const b of this.bound) {
      if (b.segments.length <= segs.length && b.segments.every((s, i) => s === segs[i]) && (!best || b.segments.length > best.segments.length)) best = b;
    }
    if (!best) return { column: null, value: null };
    const cell = cells[best.index];
    return { column: best.header, value: cell === null || cell === undefined ? null : this.shown(best, cell) };
  }

  private shown(b: Bound, cell: Cell): string | null {
    if (b.field?.pii) return null; // personal data is never copied into the error report
    const s = cell instanceof Date ? cell.toISOString() : String(cell);
    return s.length > 200 ? `${s.slice(0, 200)}…` : s;
  }

  private convert(b: Bound, cell: Cell): { value: unknown } | { error: string } {
    const f = b.field;
    if (!f) return { value: cell instanceof Date ? isoOfDate(cell) : typeof cell === 'string' ? cell.trim() : cell };
    if (f.type === 'json') {
      if (typeof cell !== 'string') return { error: `${b.header}: expected JSON` };
      try {
        return { value: JSON.parse(cell) as unknown };
      } catch {
        return { error: `${b.header} is not valid JSON` };
      }
    }
    if (f.list) {
      const parts = (cell instanceof Date ? [isoOfDate(cell)] : String(cell).split(this.separator))
        .map((p) => p.trim())
        .filter((p) => p !== '');
      return { value: parts.map((p) => this.scalar(f, p)) };
    }
    return { value: this.scalar(f, cell) };
  }

  /** Converts one value; a value that cannot be converted is passed through as text, so the kind's validation reports it. */
  private scalar(f: FieldColumn, cell: Cell): unknown {
    switch (f.type) {
      case 'date':
        if (cell instanceof Date) return isoOfDate(cell);
        // An Excel serial day number (a date typed into a cell not formatted as a date).
        if (typeof cell === 'number' && Number.isInteger(cell) && cell > 0 && cell < 2958466) return isoOfDate(new Date(Date.UTC(1899, 11, 30) + cell * 86_400_000));
        return this.date(String(cell).trim());
      case 'integer':
      case 'number': {
        if (typeof cell === 'number') return cell;
        const s = String(cell).trim();
        const n = Number(s.replace(',', '.'));
        return s !== '' && Number.isFinite(n) ? n : s;
      }
      case 'boolean': {
        if (typeof cell === 'boolean') return cell;
        const s = fold(String(cell));
        return TRUE.has(s) ? true : FALSE.has(s) ? false : String(cell).trim();
      }
      case 'code': {
        const s = cell instanceof Date ? isoOfDate(cell) : String(cell).trim();
        const mapped = this.profile.values?.[f.path]?.[s];
        if (mapped !== undefined) return mapped;
        const cw = this.crosswalks.get(crosswalkKey(f.catalog!, s));
        if (cw !== undefined) return cw;
        return lookupCode(f.catalog!, s) ?? s;
      }
      default: {
        if (cell instanceof Date) return isoOfDate(cell);
        const s = typeof cell === 'number' ? String(cell) : String(cell).trim();
        const mapped = this.profile.values?.[f.path]?.[s];
        return mapped ?? s;
      }
    }
  }

  private date(s: string): string {
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
    if (/^\d{4}-\d{2}-\d{2}T/.test(s)) return s.slice(0, 10);
    const m = /^(\d{1,4})[/.-](\d{1,2})[/.-](\d{1,4})$/.exec(s);
    if (!m) return s;
    const [a, b, c] = [m[1], m[2], m[3]];
    let y: string, mo: string, d: string;
    switch (this.dateFormat) {
      case 'mm/dd/yyyy':
        [mo, d, y] = [a, b, c];
        break;
      case 'yyyy-mm-dd':
        [y, mo, d] = [a, b, c];
        break;
      default:
        [d, mo, y] = [a, b, c];
    }
    if (y.length !== 4) return s;
    return `${y}-${mo.padStart(2, '0')}-${d.padStart(2, '0')}`;
  }
}

function setPath(target: Record<string, unknown>, segments: string[], value: unknown): void {
  let cur: Record<string, unknown> | unknown[] = target;
  for (let i = 0; i < segments.length - 1; i++) {
    const key = segments[i];
    const nextIsIndex = /^\d+$/.test(segments[i + 1]);
    const container = cur as Record<string, unknown>;
    if (container[key] === undefined || container[key] === null || typeof container[key] !== 'object') container[key] = nextIsIndex ? [] : {};
    cur = container[key] as Record<string, unknown>;
  }
  (cur as Record<string, unknown>)[segments[segments.length - 1]] = value;
}
