import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { getHeapStatistics } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { type BlockIndex, type BulkPair, scoreCandidates } from './bulk';
import type { MatchModel } from './model';
import type { MatchProfile } from './profile';

export interface ParallelScoreOptions {
  model: MatchModel;
  /** Plain term counts (the rebuild's in-memory counts) and the number of profiles. */
  terms: Map<string, number>;
  total: number;
  maxBlock: number;
  /** Worker threads (default: the machine's available parallelism; 1 = in this thread). */
  threads?: number;
  /** Left-side records per slice handed to a worker. */
  slice?: number;
  onProgress?: (done: number, total: number) => void;
}

export interface ScoreResult {
  pairs: BulkPair[];
  compared: number;
  skippedBlocks: number;
  threads: number;
}

/**
 * `scoreCandidates` over all records, spread over worker threads (the rebuild's `score` phase: pure CPU,
 * and this is a 2-core machine's second core). Each worker gets a copy of the profiles, the block index and
 * the term counts, then slices of left-side records on demand; results are concatenated in slice order,
 * so the pairs are the same, in the same order, as a single-threaded run. With one thread, or when the
 * compiled worker script is not available and TypeScript cannot be loaded, it runs in this thread.
 */
export async function scoreInThreads(profiles: ReadonlyArray<MatchProfile | null>, ix: BlockIndex, opts: ParallelScoreOptions): Promise<ScoreResult> {
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), 16));
  const slice = opts.slice ?? 10_000;
  // Small inputs are not worth starting threads for (each copies the profiles).
  const script = threads > 1 && ix.n > slice ? workerScript(__dirname, 'score-worker') : null;
  if (!script) {
    const tf = { total: opts.total, count: (t: string) => opts.terms.get(t) ?? 0 };
    const marker = new Int32Array(ix.n).fill(-1);
    const out: ScoreResult = { pairs: [], compared: 0, skippedBlocks: 0, threads: 1 };
    for (let from = 0; from < ix.n; from += slice) {
      const r = scoreCandidates(profiles, ix, { model: opts.model, tf, maxBlock: opts.maxBlock, from, to: from + slice }, marker);
      for (const p of r.pairs) out.pairs.push(p);
      out.compared += r.compared;
      out.skippedBlocks += r.skippedBlocks;
      opts.onProgress?.(Math.min(from + slice, ix.n), ix.n);
    }
    return out;
  }
  const workerData = { profiles, ix, model: opts.model, terms: opts.terms, total: opts.total, maxBlock: opts.maxBlock };
  const results = new Map<number, { pairs: BulkPair[]; compared: number; skippedBlocks: number }>();
  let next = 0;
  let done = 0;
  const workers: Worker[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      let running = 0;
      const feed = (w: Worker) => {
        if (next >= ix.n) {
          if (--running === 0) resolve();
          return;
        }
        w.postMessage({ from: next, to: next + slice });
        next += slice;
      };
      for (let k = 0; k < threads; k++) {
        const w = new Worker(script.file, { workerData, execArgv: script.execArgv, resourceLimits: { maxOldGenerationSizeMb: workerHeapLimitMb() } });
        workers.push(w);
        running++;
        w.on('message', (r: { from: number; pairs: BulkPair[]; compared: number; skippedBlocks: number }) => {
          results.set(r.from, r);
          done = Math.min(done + slice, ix.n);
          opts.onProgress?.(done, ix.n);
          feed(w);
        });
        w.on('error', reject);
        w.on('exit', (code) => code !== 0 && reject(new Error(`matching score worker exited with code ${code}`)));
        feed(w);
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  const out: ScoreResult = { pairs: [], compared: 0, skippedBlocks: 0, threads };
  for (const from of [...results.keys()].sort((x, y) => x - y)) {
    const r = results.get(from)!;
    for (const p of r.pairs) out.pairs.push(p);
    out.compared += r.compared;
    out.skippedBlocks += r.skippedBlocks;
  }
  return out;
}

/**
 * A worker script `name` in `dir`: the compiled JavaScript, or (tests under ts-jest, where only the
 * TypeScript source exists) the source through ts-node; null when neither can be loaded.
 */
export function workerScript(dir: string, name: string): { file: string; execArgv: string[] } | null {
  const js = join(dir, `${name}.js`);
  if (existsSync(js)) return { file: js, execArgv: [] };
  const ts = join(dir, `${name}.ts`);
  if (!existsSync(ts)) return null;
  try {
    return { file: ts, execArgv: ['--require', require.resolve('ts-node/register/transpile-only')] };
  } catch {
    return null;
  }
}

/** Heap limit for worker threads: the same as this thread's (they hold copies of large arrays). */
export function workerHeapLimitMb(): number {
  return Math.max(2048, Math.ceil(getHeapStatistics().heap_size_limit / 2 ** 20));
}
