import { parentPort, workerData } from 'node:worker_threads';
import { type BlockIndex, scoreCandidates } from './bulk';
import type { MatchModel } from './model';
import type { MatchProfile } from './profile';

/**
 * Worker thread of `scoreInThreads` (engine/parallel.ts): holds a copy of the profiles, the block index
 * and the term counts, and scores the slices of left-side records the main thread sends it. Each record i
 * is scored entirely in one slice, so the per-worker marker array removes duplicate pairs exactly as in
 * the single-threaded `scoreCandidates`.
 */
interface Init {
  profiles: Array<MatchProfile | null>;
  ix: BlockIndex;
  model: MatchModel;
  terms: Map<string, number>;
  total: number;
  maxBlock: number;
}

if (parentPort) {
  const port = parentPort;
  const init = workerData as Init;
  const tf = { total: init.total, count: (t: string) => init.terms.get(t) ?? 0 };
  const marker = new Int32Array(init.ix.n).fill(-1);
  port.on('message', (m: { from: number; to: number }) => {
    const r = scoreCandidates(init.profiles, init.ix, { model: init.model, tf, maxBlock: init.maxBlock, from: m.from, to: m.to }, marker);
    port.postMessage({ from: m.from, ...r });
  });
}
