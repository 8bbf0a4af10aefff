import { keyOf, recoverableLines, suppressCells, type StatCell } from './suppression';

function table(rows: Record<string, number>, total: number): Map<string, StatCell> {
  const m = new Map<string, StatCell>();
  for (const [k, v] of Object.entries(rows)) m.set(keyOf([k]), { key: [k], value: v, suppressed: false });
  m.set(keyOf([null]), { key: [null], value: total, suppressed: false });
  return m;
}

function table2(rows: Record<string, Record<string, number>>): Map<string, StatCell> {
  const m = new Map<string, StatCell>();
  const put = (key: (string | null)[], v: number) => {
    const c = m.get(keyOf(key));
    if (c) c.value += v;
    else m.set(keyOf(key), { key, value: v, suppressed: false });
  };
  for (const [a, cols] of Object.entries(rows)) {
    for (const [b, v] of Object.entries(cols)) {
      put([a, b], v);
      put([a, null], v);
      put([null, b], v);
      put([null, null], v);
    }
  }
  return m;
}

describe('suppressCells', () => {
  it('suppresses cells below the threshold but never zeros', () => {
    const t = table({ a: 3, b: 0, c: 20, d: 10 }, 33);
    suppressCells(t, 5);
    expect([...t.values()].filter((c) => c.suppressed).map((c) => c.key[0])).toEqual(['a', 'd']);
  });

  it('adds the next smallest non-zero cell when a single cell of a line is hidden, so it cannot be recovered from the total', () => {
    const t = table({ female: 2, male: 40, SI: 9 }, 51);
    suppressCells(t, 5);
    expect(t.get(keyOf(['female']))!.suppressed).toBe(true);
    expect(t.get(keyOf(['SI']))!.suppressed).toBe(true);
    expect(t.get(keyOf(['male']))!.suppressed).toBe(false);
    // The attack: total minus published cells gives only the sum of the two hidden cells.
    const visible = [...t.values()].filter((c) => c.key[0] !== null && !c.suppressed).reduce((s, c) => s + c.value, 0);
    expect(51 - visible).toBe(11);
    expect(recoverableLines(t)).toEqual([]);
  });

  it('two-way tables: no row or column of the table or of its margins has exactly one hidden entry', () => {
    const t = table2({
      '09': { female: 12, male: 3, SI: 7 },
      '15': { female: 30, male: 8, SI: 0 },
      '21': { female: 6, male: 9, SI: 1 },
    });
    suppressCells(t, 5);
    expect(t.get(keyOf(['09', 'male']))!.suppressed).toBe(true);
    expect(t.get(keyOf(['21', 'SI']))!.suppressed).toBe(true);
    expect(recoverableLines(t)).toEqual([]);
  });

  it('a small total is suppressed with everything under it', () => {
    const t = table({ a: 1, b: 2 }, 3);
    suppressCells(t, 5);
    expect([...t.values()].every((c) => c.suppressed)).toBe(true);
  });
});
