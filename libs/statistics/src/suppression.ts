/**
 * Small-cell suppression with complementary suppression (docs/statistics.md).
 *
 * A statistic over dimensions d1..dk is a set of cells keyed by one value per dimension, where `null`
 * means "all values" (a margin); the all-null key is the grand total. Margins of every subset of the
 * dimensions take part even when they are not printed, because a caller can obtain them with another
 * `groupBy`. A *line* is the set of cells that differ only in one dimension plus the margin over that
 * dimension (their "line total").
 *
 * 1. Primary: every cell with 0 < value < threshold is suppressed (zeros are published).
 * 2. Complementary: while some line has exactly one suppressed entry (a cell, or its line total), the
 *    smallest unsuppressed non-zero cell of that line is suppressed too (if there is none, the line
 *    total is). Repeat to a fixed point, so no suppressed value equals a published total minus published
 *    cells of any line.
 */
export interface StatCell {
  key: (string | null)[];
  value: number;
  suppressed: boolean;
}

export const keyOf = (key: (string | null)[]): string => JSON.stringify(key);

interface Line {
  total: StatCell;
  members: StatCell[];
}

function linesOf(cells: Map<string, StatCell>): Line[] {
  const groups = new Map<string, Line>();
  for (const cell of cells.values()) {
    cell.key.forEach((v, p) => {
      if (v === null) return;
      const parentKey = [...cell.key];
      parentKey[p] = null;
      const id = `${p}|${keyOf(parentKey)}`;
      let line = groups.get(id);
      if (!line) {
        const total = cells.get(keyOf(parentKey));
        if (!total) throw new Error(`suppression: margin ${keyOf(parentKey)} missing`);
        line = { total, members: [] };
        groups.set(id, line);
      }
      line.members.push(cell);
    });
  }
  return [...groups.values()];
}

/** Applies primary and complementary suppression in place; returns the number of suppressed cells. */
export function suppressCells(cells: Map<string, StatCell>, threshold: number): number {
  for (const c of cells.values()) c.suppressed = c.value > 0 && c.value < threshold;
  const lines = linesOf(cells);
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      const hidden = line.members.filter((m) => m.suppressed).length + (line.total.suppressed ? 1 : 0);
      if (hidden !== 1) continue;
      const candidates = line.members
        .filter((m) => !m.suppressed && m.value > 0)
        .sort((a, b) => a.value - b.value || keyOf(a.key).localeCompare(keyOf(b.key)));
      if (candidates.length) candidates[0].suppressed = true;
      else if (!line.total.suppressed && line.total.value > 0) line.total.suppressed = true;
      else continue;
      changed = true;
    }
  }
  return [...cells.values()].filter((c) => c.suppressed).length;
}

/** Lines in which exactly one entry is hidden (what an attacker could recover by subtraction). Empty after suppressCells. */
export function recoverableLines(cells: Map<string, StatCell>): Array<{ total: (string | null)[]; member?: (string | null)[] }> {
  const out: Array<{ total: (string | null)[]; member?: (string | null)[] }> = [];
  for (const line of linesOf(cells)) {
    const hidden = line.members.filter((m) => m.suppressed);
    const count = hidden.length + (line.total.suppressed ? 1 : 0);
    if (count === 1) out.push({ total: line.total.key, member: hidden[0]?.key });
  }
  return out;
}
