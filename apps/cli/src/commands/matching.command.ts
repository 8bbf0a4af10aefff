import { writeFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { MatchingRebuildService, type RebuildProgress } from '@app/matching';
import { CliOutput } from '../cli-output';

/** A one-line progress bar on stderr (rewritten in place on a terminal, one line per update otherwise). */
function progressBar(): (p: RebuildProgress) => void {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let last = 0;
  let lastPhase = '';
  return (p) => {
    const now = Date.now();
    if (p.phase === lastPhase && now - last < (tty ? 200 : 5000) && p.done < p.total) return;
    if (tty && lastPhase && p.phase !== lastPhase) process.stderr.write('\n');
    last = now;
    lastPhase = p.phase;
    const width = 30;
    const frac = p.total ? Math.min(1, p.done / p.total) : 1;
    const filled = Math.round(frac * width);
    const line = `${p.phase.padEnd(8)} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(frac * 100).toFixed(1).padStart(5)}%  ${p.done}/${p.total}  ${((now - started) / 1000).toFixed(1)} s`;
    process.stderr.write(tty ? `\r${line}` : `${line}\n`);
  };
}

/**
 * `npm run cli -- matching:rebuild [--max-block N] [--threads N]`: re-matches and re-clusters every victim record
 * from scratch (after a rule or model change), in bulk (MatchingRebuildService). Reviewer decisions
 * are kept and applied; person ids are kept where clusters keep most of their records. Progress on
 * stderr, JSON summary (counts and seconds per phase) on stdout.
 */
@Command({ name: 'matching:rebuild', description: 'Re-match and re-cluster all victim records from scratch (progress on stderr, JSON summary on stdout)' })
export class MatchingRebuildCommand extends CommandRunner {
  constructor(
    private readonly rebuild: MatchingRebuildService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(_args: string[], opts: { maxBlock?: number; threads?: number }): Promise<void> {
    const bar = progressBar();
    const result = await this.rebuild.rebuild({ maxBlock: opts.maxBlock, threads: opts.threads, onProgress: bar });
    if (process.stderr.isTTY) process.stderr.write('\n');
    this.out.json(result);
  }
  @Option({ flags: '--max-block <n>', description: 'Skip blocks with more records than this (default 100)' })
  parseMaxBlock(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 2) this.out.fail('--max-block must be an integer ≥ 2');
    return n;
  }
  @Option({ flags: '--threads <n>', description: 'Worker threads for scoring candidate pairs (default: available cores; 1 = no worker threads)' })
  parseThreads(v: string): number {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1 || n > 16) this.out.fail('--threads must be an integer from 1 to 16');
    return n;
  }
}

/**
 * `npm run cli -- matching:estimate [--write FILE] [--max-pairs N]`: EM estimate of the m/u
 * probabilities from the stored profiles (candidate pairs of the current blocking); prints the
 * estimated model (and the match proportion p); with --write, writes it as a model file (same format
 * as libs/matching/data/model.json, thresholds kept) for review before it replaces the configured one.
 */
@Command({ name: 'matching:estimate', description: 'EM estimate of the matching model (m/u per field and level) from the stored data' })
export class MatchingEstimateCommand extends CommandRunner {
  constructor(
    private readonly rebuild: MatchingRebuildService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(_args: string[], opts: { write?: string; maxPairs?: number }): Promise<void> {
    const r = await this.rebuild.estimateFromStore({ maxPairs: opts.maxPairs, onProgress: progressBar() });
    if (process.stderr.isTTY) process.stderr.write('\n');
    const round = (x: number) => Number(x.toPrecision(4));
    const fields = Object.fromEntries(
      Object.entries(r.model.fields).map(([f, levels]) => [f, Object.fromEntries(Object.entries(levels).map(([l, q]) => [l, { m: round(q.m), u: round(q.u) }]))]),
    );
    const model = { ...r.model, version: `${r.model.version}+em`, fields };
    if (opts.write) writeFileSync(opts.write, `${JSON.stringify(model, null, 2)}\n`);
    this.out.json({ profiles: r.profiles, pairs: r.pairs, matchProportion: round(r.p), iterations: r.iterations, written: opts.write ?? null, model });
  }
  @Option({ flags: '--write <file>', description: 'Write the estimated model to this file' })
  parseWrite(v: string): string {
    return v;
  }
  @Option({ flags: '--max-pairs <n>', description: 'Use at most this many candidate pairs (default 2,000,000)' })
  parseMaxPairs(v: string): number {
    return Number(v);
  }
}
