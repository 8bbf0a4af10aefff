/**
 * Clustering with constraints. Records are joined by edges in this order: reviewer `same_person`
 * decisions first, then automatic links by decreasing score. An edge is skipped when it would put two
 * records with a `different_persons` decision in the same cluster, so reviewer decisions always win
 * over automatic links. Returns the clusters (arrays of record ids).
 */
export function clusterRecords(
  records: string[],
  mustLink: Array<[string, string]>,
  cannotLink: Array<[string, string]>,
  autoLinks: Array<{ a: string; b: string; score: number }>,
): string[][] {
  const parent = new Map<string, string>();
  const members = new Map<string, Set<string>>();
  for (const r of records) {
    parent.set(r, r);
    members.set(r, new Set([r]));
  }
  const cannot = new Map<string, Set<string>>();
  for (const [a, b] of cannotLink) {
    (cannot.get(a) ?? cannot.set(a, new Set()).get(a)!).add(b);
    (cannot.get(b) ?? cannot.set(b, new Set()).get(b)!).add(a);
  }
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    let y = x;
    while (parent.get(y) !== r) {
      const n = parent.get(y)!;
      parent.set(y, r);
      y = n;
    }
    return r;
  };
  const union = (a: string, b: string): boolean => {
    if (!parent.has(a) || !parent.has(b)) return false;
    let ra = find(a);
    let rb = find(b);
    if (ra === rb) return true;
    const ma = members.get(ra)!;
    const mb = members.get(rb)!;
    for (const x of ma.size < mb.size ? ma : mb) {
      const other = ma.size < mb.size ? mb : ma;
      for (const y of cannot.get(x) ?? []) if (other.has(y)) return false;
    }
    if (ma.size < mb.size) [ra, rb] = [rb, ra];
    parent.set(rb, ra);
    for (const x of members.get(rb)!) members.get(ra)!.add(x);
    members.delete(rb);
    return true;
  };
  for (const [a, b] of mustLink) union(a, b);
  for (const e of [...autoLinks].sort((x, y) => y.score - x.score || (x.a + x.b < y.a + y.b ? -1 : 1))) union(e.a, e.b);
  return [...members.values()].map((s) => [...s].sort());
}
