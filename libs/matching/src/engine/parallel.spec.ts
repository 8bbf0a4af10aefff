import { generateLabelled } from '../../../synthetic/src/labelled';
import { BlockIndexBuilder, blockIndex, buildProfile, countTerms, defaultModel, plainKeys, profileTerms, scoreCandidates, scoreInThreads } from './index';

/**
 * The rebuild's `score` phase in worker threads must give exactly what one thread gives: same pairs, same
 * scores and levels, same order (the clustering and the stored pairs depend on it).
 */
describe('matching: scoring in worker threads (rebuild score phase)', () => {
  const data = generateLabelled(1500, 11);
  // A labelled record carries the profile's source fields under the same names.
  const profiles = data.map((v) => buildProfile(v));
  const model = defaultModel();
  const keys = plainKeys(profiles);
  const ix = blockIndex(keys);
  const counted = countTerms(profiles);
  const terms = new Map<string, number>();
  for (const p of profiles) if (p) for (const t of profileTerms(p)) terms.set(t, counted.count(t));

  it('the incremental block index builder gives the same index as blockIndex', () => {
    const b = new BlockIndexBuilder();
    for (const k of keys) b.add(k);
    const built = b.build();
    expect(built.n).toBe(ix.n);
    expect(built.blocks).toBe(ix.blocks);
    expect(Array.from(built.recordStart)).toEqual(Array.from(ix.recordStart));
    expect(Array.from(built.recordKeys)).toEqual(Array.from(ix.recordKeys));
    expect(Array.from(built.blockMembers)).toEqual(Array.from(ix.blockMembers));
  });

  it('two worker threads over many slices give the same pairs, in the same order, as one thread', async () => {
    const single = scoreCandidates(profiles, ix, { model, tf: { total: counted.total, count: (t) => terms.get(t) ?? 0 }, maxBlock: 100 });
    expect(single.pairs.length).toBeGreaterThan(500);
    const progress: number[] = [];
    const threaded = await scoreInThreads(profiles, ix, { model, terms, total: counted.total, maxBlock: 100, threads: 2, slice: 300, onProgress: (d) => progress.push(d) });
    expect(threaded.threads).toBe(2);
    expect(threaded.compared).toBe(single.compared);
    expect(threaded.skippedBlocks).toBe(single.skippedBlocks);
    expect(threaded.pairs).toEqual(single.pairs);
    expect(progress[progress.length - 1]).toBe(ix.n);
  }, 60_000);

  it('one thread (or a small input) scores in this thread', async () => {
    const r = await scoreInThreads(profiles, ix, { model, terms, total: counted.total, maxBlock: 100, threads: 1 });
    expect(r.threads).toBe(1);
    const small = await scoreInThreads(profiles, ix, { model, terms, total: counted.total, maxBlock: 100, threads: 2, slice: ix.n + 1 });
    expect(small.threads).toBe(1);
    expect(small.pairs).toEqual(r.pairs);
  });
});
