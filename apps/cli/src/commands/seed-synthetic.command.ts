import { Command, CommandRunner, Option } from 'nest-commander';
import { ALL_SCOPES, type Actor, AgenciesService } from '@app/auth';
import { asAgencyId } from '@app/db';
import { RecordsService } from '@app/records';
import { prng, seedAgencies, seedCase, seedVictimChunks } from '@app/synthetic';
import { CliOutput } from '../cli-output';

export interface SeedOptions {
  victims: number;
  cases: number;
  agencies: number;
  seed?: number;
  /** First victim number (localIds SYN-<agency>-<n>), to add to an earlier seed. Default 0. */
  from?: number;
  /** Entries per write (as a batch request). Default 1000. */
  batch?: number;
  /** Batches written at the same time. Default 2. */
  concurrency?: number;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

export interface SeedSummary {
  agencies: number;
  victims: number;
  cases: number;
  seconds: number;
  /** Time of the victims part alone. */
  victimSeconds: number;
  victimsPerSecond: number;
}

/** What the seeder needs from a Nest application (the CLI's or the API's: both have these services). */
interface AppServices {
  get<T>(cls: abstract new (...args: never[]) => T): T;
}

/**
 * Writes synthetic agencies, victims and cases through RecordsService.batch — the path of
 * POST /v1/<kind>/batch without HTTP: the same validation, encryption of personal data, version history,
 * change feed, projections (victim_facts with keyed hashes), audit entries and matching jobs (enqueued in
 * the same transactions; a worker instance processes them). `concurrency` batches run at once, each in
 * its own transaction. Idempotent: re-running with the same options rewrites nothing (all `unchanged`).
 */
export async function seedSynthetic(app: AppServices, opts: SeedOptions): Promise<SeedSummary> {
  const started = Date.now();
  const seed = opts.seed ?? 1;
  const batchSize = opts.batch ?? 1000;
  const concurrency = Math.max(1, opts.concurrency ?? 2);
  const log = opts.log ?? (() => undefined);
  const agenciesService = app.get(AgenciesService);
  const records = app.get(RecordsService);
  const victimDef = records.definitions().get('victims');
  const caseDef = records.definitions().get('cases');
  if (!victimDef || !caseDef) throw new Error('the victims and cases record kinds are not registered');

  const actors: Actor[] = [];
  for (const a of seedAgencies(opts.agencies)) {
    const agency = (await agenciesService.findActiveByCode(a.code)) ?? (await agenciesService.create(a as Parameters<AgenciesService['create']>[0], 'cli:seed:synthetic'));
    actors.push({ agencyId: asAgencyId(agency.id), agencyCode: agency.code, agencyKind: agency.kind, clientId: 'cli:seed:synthetic', scopes: ALL_SCOPES });
  }

  // A bounded pool of concurrent batch writes.
  const running = new Set<Promise<void>>();
  let failure: unknown;
  const submit = async (def: typeof victimDef, actor: Actor, entries: object[], submissionId: string) => {
    const task = records
      .batch(def, actor, { entries, sourceSystem: 'seed:synthetic', submissionId })
      .then((res) => {
        if (res.summary.rejected) {
          const bad = res.results.find((r) => r.status === 'rejected');
          throw new Error(`synthetic entry rejected: ${JSON.stringify(bad?.errors?.slice(0, 3))}`);
        }
      })
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= concurrency) await Promise.race(running);
    if (failure) throw failure;
  };

  // Victims, and per agency a sample of them (localId, offenses) for the cases to reference.
  const sample = new Map<number, Array<{ localId: string; offenses: string[] }>>();
  const r = prng(seed * 31 + 7);
  let victims = 0;
  let lastLog = Date.now();
  const buffers = new Map<number, Array<{ localId: string }>>();
  for (const chunk of seedVictimChunks(opts.victims, opts.agencies, seed, opts.from ?? 0)) {
    for (const [agency, list] of chunk.victims) {
      const kept = sample.get(agency) ?? [];
      for (const v of list) {
        if (kept.length < 20_000) kept.push({ localId: v.localId, offenses: v.offenses as string[] });
        else if (r() < 0.05) kept[Math.floor(r() * kept.length)] = { localId: v.localId, offenses: v.offenses as string[] };
      }
      sample.set(agency, kept);
      // Full batches only (an agency gets a few hundred victims per chunk): the rest waits for the next chunk.
      const buffered = [...(buffers.get(agency) ?? []), ...list];
      let i = 0;
      for (; buffered.length - i >= batchSize; i += batchSize) {
        await submit(victimDef, actors[agency], buffered.slice(i, i + batchSize), `seed-${seed}-v-${victims}`);
        victims += batchSize;
      }
      buffers.set(agency, buffered.slice(i));
    }
    if (Date.now() - lastLog > 5_000) {
      lastLog = Date.now();
      const secs = (Date.now() - started) / 1000;
      log(`victims ${victims}/${opts.victims}  ${Math.round(victims / secs)}/s`);
    }
  }
  for (const [agency, rest] of buffers) {
    if (!rest.length) continue;
    await submit(victimDef, actors[agency], rest, `seed-${seed}-v-${victims}`);
    victims += rest.length;
  }
  await Promise.all(running);
  if (failure) throw failure;
  const victimSeconds = (Date.now() - started) / 1000;
  log(`victims ${victims} in ${victimSeconds.toFixed(1)} s (${Math.round(victims / victimSeconds)}/s)`);

  // Cases, spread over the agencies that have victims.
  const withVictims = [...sample.keys()].sort((a, b) => a - b);
  let cases = 0;
  const pending = new Map<number, object[]>();
  for (let i = 0; i < opts.cases && withVictims.length; i++) {
    const agency = withVictims[i % withVictims.length];
    const pool = sample.get(agency)!;
    const n = 1 + Math.floor(r() * 3);
    const victimsOfCase = Array.from({ length: Math.min(n, pool.length) }, () => pool[Math.floor(r() * pool.length)]).filter((v, k, all) => all.findIndex((w) => w.localId === v.localId) === k);
    const list = pending.get(agency) ?? [];
    list.push(seedCase(i, agency, victimsOfCase, seed));
    pending.set(agency, list);
    if (list.length >= batchSize) {
      pending.delete(agency);
      await submit(caseDef, actors[agency], list, `seed-${seed}-c-${i}`);
      cases += list.length;
    }
  }
  for (const [agency, list] of pending) {
    await submit(caseDef, actors[agency], list, `seed-${seed}-c-rest-${agency}`);
    cases += list.length;
  }
  await Promise.all(running);
  if (failure) throw failure;
  const seconds = (Date.now() - started) / 1000;
  return {
    agencies: actors.length,
    victims,
    cases,
    seconds: Math.round(seconds * 10) / 10,
    victimSeconds: Math.round(victimSeconds * 10) / 10,
    victimsPerSecond: Math.round(victims / Math.max(victimSeconds, 0.001)),
  };
}

interface SeedCliOptions {
  victims?: number;
  cases?: number;
  agencies?: number;
  seed?: number;
  batch?: number;
  concurrency?: number;
}

/**
 * `npm run cli -- seed:synthetic --victims N --cases M [--agencies K] [--seed S] [--batch 1000] [--concurrency 2]`:
 * realistic synthetic data (never real) written through the same path as the API; see docs/performance.md.
 */
@Command({ name: 'seed:synthetic', description: 'Load synthetic victims and cases (several agencies, cross-agency duplicates) through the normal write path' })
export class SeedSyntheticCommand extends CommandRunner {
  constructor(
    private readonly agencies: AgenciesService,
    private readonly records: RecordsService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run(_args: string[], opts: SeedCliOptions): Promise<void> {
    const victims = opts.victims ?? 0;
    const cases = opts.cases ?? 0;
    if (victims < 1) this.out.fail('--victims must be at least 1');
    if (cases > 0 && victims < 1) this.out.fail('cases need victims');
    const services = new Map<unknown, unknown>([
      [AgenciesService, this.agencies],
      [RecordsService, this.records],
    ]);
    const summary = await seedSynthetic(
      { get: <T>(cls: abstract new (...args: never[]) => T) => services.get(cls) as T },
      { victims, cases, agencies: opts.agencies ?? 12, seed: opts.seed, batch: opts.batch, concurrency: opts.concurrency, log: (l) => process.stderr.write(`${l}\n`) },
    ).catch((err: unknown) => this.out.fail((err as Error).message));
    this.out.json({ ...summary, matching: 'jobs enqueued; an API instance with JOBS_WORKERS=true processes them' });
  }

  @Option({ flags: '--victims <n>', description: 'Number of victim records', required: true })
  parseVictims(v: string): number {
    return positive(v, '--victims');
  }

  @Option({ flags: '--cases <n>', description: 'Number of case records (default 0)' })
  parseCases(v: string): number {
    return positive(v, '--cases', 0);
  }

  @Option({ flags: '--agencies <n>', description: 'Number of agencies (default 12; codes syn-01…)' })
  parseAgencies(v: string): number {
    return positive(v, '--agencies');
  }

  @Option({ flags: '--seed <n>', description: 'Seed of the generator (default 1)' })
  parseSeed(v: string): number {
    return positive(v, '--seed');
  }

  @Option({ flags: '--batch <n>', description: 'Entries per write (default 1000, at most 1000)' })
  parseBatch(v: string): number {
    return Math.min(1000, positive(v, '--batch'));
  }

  @Option({ flags: '--concurrency <n>', description: 'Batches written at the same time (default 2)' })
  parseConcurrency(v: string): number {
    return positive(v, '--concurrency');
  }
}

function positive(v: string, flag: string, min = 1): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new Error(`${flag} must be an integer ≥ ${min}`);
  return n;
}
