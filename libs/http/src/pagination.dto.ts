import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { ProblemException } from './problem.exception';

/** `?limit=&cursor=` for keyset-paginated lists. */
export class PageQueryDto {
  /** Page size, 1–500. @example 100 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  /** Opaque cursor from the previous page's `nextCursor`. */
  @IsOptional()
  @IsString()
  cursor?: string;
}

/** Opaque keyset cursors: base64url JSON of the last row's sort key. */
export const encodeCursor = (key: unknown[]): string => Buffer.from(JSON.stringify(key)).toString('base64url');

export function decodeCursor<T extends unknown[]>(cursor: string | undefined, arity: number): T | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(key) && key.length === arity) return key as T;
  } catch {
    /* fall through */
  }
  throw new ProblemException(422, 'validation', { errors: [{ pointer: '#/cursor', detail: 'cursor is not one this API issued', rule: 'cursor' }] });
}

/** Splits `limit + 1` fetched rows into a page and the next cursor. */
export function pageOf<R, T>(rows: R[], limit: number, key: (row: R) => unknown[], map: (row: R) => T): { items: T[]; nextCursor: string | null } {
  const more = rows.length > limit;
  const page = more ? rows.slice(0, limit) : rows;
  return { items: page.map(map), nextCursor: more ? encodeCursor(key(page[page.length - 1])) : null };
}
