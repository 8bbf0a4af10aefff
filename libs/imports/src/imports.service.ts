import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { EntityManager } from 'typeorm';
import type { Actor } from '@app/auth';
import { AuditService } from '@app/audit';
import { CrosswalkService } from '@app/catalogs';
import { APP_CONFIG, type AppConfig } from '@app/config';
import { type AgencyId, DbContext, asAgencyId } from '@app/db';
import { ProblemException, decodeCursor, pageOf, toFieldErrors } from '@app/http';
import { JobsService } from '@app/jobs';
import { type BatchEntryResultDto, type RecordKindDefinition, RecordsService } from '@app/records';
import { ByteCounter, csvLine, readRows } from './file-rows';
import {
  ImportProfileBodyDto,
  type ImportErrorPageDto,
  type ImportJobDto,
  type ImportProfileDto,
  type ImportProfilePageDto,
  type ImportRowErrorDto,
  ImportUploadFieldsDto,
} from './imports.dto';
import { RecordKinds } from './record-kinds';
import { type MappedRow, type RowError, RowMapper } from './row-mapper';

export const IMPORT_QUEUE = 'imports.run';
/** Entries per RecordsService.batch call (the batch endpoint's maximum). */
export const IMPORT_CHUNK = 1000;
const FILE_PIECE = 1024 * 1024;
const VALIDATE = { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } };

interface JobRow {
  id: string;
  kind: string;
  actor: Actor;
  profile_name: string | null;
  mapping: Partial<ImportProfileBodyDto>;
  file_name: string;
  format: 'csv' | 'xlsx';
  size_bytes: string;
  dry_run: boolean;
  status: ImportJobDto['status'];
  rows_read: number;
  accepted: number;
  rejected: number;
  skipped: number;
  created_count: number;
  updated_count: number;
  unchanged_count: number;
  checkpoint_row: number;
  bytes_read: string;
  attempts: number;
  ignored_columns: string[];
  failure: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

/** A file-level problem: the job fails without retry. */
class ImportFileError extends Error {}

export interface ImportProgress {
  rowsRead: number;
  accepted: number;
  rejected: number;
  progress: number;
}

/**
 * Bulk imports: stores the uploaded file in the database (streamed, in 1 MiB pieces), runs the import
 * as a pg-boss job that maps rows through the profile and submits them in chunks of 1,000 through
 * RecordsService.batch (the batch endpoint's own validation and upsert), with a checkpoint after every
 * chunk so a retried job resumes where the last committed chunk ended.
 */
@Injectable()
export class ImportsService {
  private readonly logger = new Logger('Imports');

  constructor(
    private readonly db: DbContext,
    private readonly records: RecordsService,
    private readonly kinds: RecordKinds,
    private readonly crosswalks: CrosswalkService,
    private readonly audit: AuditService,
    @Optional() private readonly jobs?: JobsService,
    @Optional() @Inject(APP_CONFIG) private readonly config?: Pick<AppConfig, 'importLeaseSeconds'>,
  ) {}

  /**
   * Seconds after which a `running` import whose worker has not written a heartbeat (`updated_at`) is
   * considered dead (process killed, machine restarted) and may be claimed again. A live worker renews
   * it every third of that time, so a slow import is never run twice at once.
   */
  get leaseSeconds(): number {
    return this.config?.importLeaseSeconds ?? 60;
  }

  // ---------------------------------------------------------------- profiles

  async putProfile(actor: Actor, name: string, body: ImportProfileBodyDto): Promise<{ created: boolean; profile: ImportProfileDto }> {
    const def = this.kinds.get(body.kind);
    this.kinds.assertScope(actor, def, 'write');
    this.checkProfile(body, def, '#');
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const rows: Array<{ inserted: boolean; updated_at: Date }> = await em.query(
        `INSERT INTO import_profiles (agency_id, name, kind, mapping) VALUES ($1, $2, $3, $4)
         ON CONFLICT ON CONSTRAINT uq_import_profiles_agency_name DO UPDATE SET kind = EXCLUDED.kind, mapping = EXCLUDED.mapping, updated_at = now()
         RETURNING (xmax = 0) AS inserted, updated_at`,
        [agencyId, name, body.kind, JSON.stringify(body)],
      );
      await this.audit.append(em, { agencyId, actor: actor.clientId, action: 'imports.profile.write', resourceType: 'import_profile', resourceAgencyId: agencyId, resourceIds: [name] });
      return { created: rows[0].inserted, profile: { ...body, name, updatedAt: rows[0].updated_at.toISOString() } };
    });
  }

  async getProfile(actor: Actor, name: string): Promise<ImportProfileDto> {
    const row = await this.loadProfile(actor.agencyId, name);
    if (!row) throw ProblemException.notFound('Import profile');
    return row;
  }

  async listProfiles(actor: Actor, q: { limit?: number; cursor?: string }): Promise<ImportProfilePageDto> {
    const limit = q.limit ?? 100;
    const after = decodeCursor<[string]>(q.cursor, 1);
    const rows: Array<{ name: string; mapping: ImportProfileBodyDto; updated_at: Date }> = await this.db.withAgency(
      actor.agencyId,
      ({ em, agencyId }) =>
        em.query(`SELECT name, mapping, updated_at FROM import_profiles WHERE agency_id = $1 AND ($2::text IS NULL OR name > $2) ORDER BY name LIMIT $3`, [
          agencyId,
          after?.[0] ?? null,
          limit + 1,
        ]),
      { readOnly: true },
    );
    return pageOf(
      rows,
      limit,
      (r) => [r.name],
      (r) => ({ ...r.mapping, name: r.name, updatedAt: r.updated_at.toISOString() }),
    );
  }

  private async loadProfile(agencyId: AgencyId, name: string): Promise<ImportProfileDto | undefined> {
    const rows: Array<{ name: string; mapping: ImportProfileBodyDto; updated_at: Date }> = await this.db.withAgency(
      agencyId,
      ({ em }) => em.query(`SELECT name, mapping, updated_at FROM import_profiles WHERE agency_id = $1 AND name = $2`, [agencyId, name]),
      { readOnly: true },
    );
    return rows[0] && { ...rows[0].mapping, name: rows[0].name, updatedAt: rows[0].updated_at.toISOString() };
  }

  /** Field paths of a profile must be columns of the kind (or indexed paths into them). */
  private checkProfile(body: ImportProfileBodyDto, def: RecordKindDefinition<object>, base: string): void {
    const paths = new Set(this.kinds.columns(def).map((c) => c.path));
    const errors = [];
    for (const [header, path] of Object.entries(body.columns)) {
      const clean = typeof path === 'string' ? path.replace(/^\//, '').replace(/\//g, '.') : '';
      const generic = clean.replace(/\.\d+(?=\.|$)/g, '');
      const top = generic.split('.')[0];
      if (!clean || !(paths.has(clean) || paths.has(generic) || (paths.has(top) && generic !== top))) {
        errors.push({ pointer: `${base}/columns/${header.replace(/~/g, '~0').replace(/\//g, '~1')}`, detail: `${String(path)} is not a field of ${def.kind}`, rule: 'field-path' });
      }
    }
    for (const [path, map] of Object.entries(body.values ?? {})) {
      if (!paths.has(path) || typeof map !== 'object' || map === null || Object.values(map).some((v) => typeof v !== 'string')) {
        errors.push({ pointer: `${base}/values/${path.replace(/~/g, '~0').replace(/\//g, '~1')}`, detail: `values of ${path} must map local values to codes of a field of ${def.kind}`, rule: 'value-map' });
      }
    }
    if (errors.length) throw ProblemException.validation(errors);
  }

  // ---------------------------------------------------------------- upload

  /**
   * Creates an import from a stream of bytes: validates the fields, resolves the profile, stores the
   * file in pieces and enqueues the job in the same transaction (the job exists iff the file does).
   */
  async create(
    actor: Actor,
    fields: Record<string, unknown>,
    file: { filename: string; mimetype?: string; stream: AsyncIterable<Buffer> },
    opts: { enqueue?: boolean; requestId?: string } = {},
  ): Promise<ImportJobDto> {
    const raw = { ...fields };
    if (typeof raw.dryRun === 'string') raw.dryRun = raw.dryRun === 'true' ? true : raw.dryRun === 'false' ? false : raw.dryRun;
    const input = plainToInstance(ImportUploadFieldsDto, raw);
    const errs = validateSync(input, VALIDATE);
    if (errs.length) throw ProblemException.validation(toFieldErrors(errs, '#'));
    const def = this.kinds.get(input.kind);
    this.kinds.assertScope(actor, def, 'write');
    const format = /\.xlsx$/i.test(file.filename) || /spreadsheetml/.test(file.mimetype ?? '') ? 'xlsx' : /\.(csv|txt|tsv)$/i.test(file.filename) || /csv|text\/plain/.test(file.mimetype ?? '') ? 'csv' : null;
    if (!format) throw ProblemException.validation([{ pointer: '#/file', detail: 'the file must be .csv or .xlsx', rule: 'file-type' }]);
    let profileName: string | null = null;
    let mapping: ImportProfileBodyDto;
    if (input.profile === undefined || input.profile.trim() === '') {
      mapping = { kind: def.kind, columns: {} };
    } else if (input.profile.trim().startsWith('{')) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(input.profile);
      } catch {
        throw ProblemException.validation([{ pointer: '#/profile', detail: 'profile is neither a profile name nor valid JSON', rule: 'json' }]);
      }
      const p = plainToInstance(ImportProfileBodyDto, { kind: def.kind, ...(parsed as object) });
      const perrs = validateSync(p, VALIDATE);
      if (perrs.length) throw ProblemException.validation(toFieldErrors(perrs, '#/profile'));
      this.checkProfile(p, def, '#/profile');
      mapping = { ...p };
    } else {
      const saved = await this.loadProfile(actor.agencyId, input.profile.trim());
      if (!saved) throw ProblemException.validation([{ pointer: '#/profile', detail: `no saved profile named ${input.profile.trim()}`, rule: 'profile' }]);
      if (saved.kind !== def.kind) throw ProblemException.validation([{ pointer: '#/profile', detail: `profile ${saved.name} is for ${saved.kind}, not ${def.kind}`, rule: 'profile-kind' }]);
      profileName = saved.name;
      const { name: _n, updatedAt: _u, ...rest } = saved;
      mapping = rest;
    }
    const id = randomUUID();
    const fileName = file.filename.replace(/[\\/]/g, '_').slice(0, 255) || 'upload';
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const storedActor: Actor = { agencyId, agencyCode: actor.agencyCode, agencyKind: actor.agencyKind, clientId: actor.clientId, scopes: actor.scopes };
      await em.query(
        `INSERT INTO import_jobs (id, agency_id, kind, client_id, actor, profile_name, mapping, file_name, format, size_bytes, dry_run, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 'queued')`,
        [id, agencyId, def.kind, actor.clientId, JSON.stringify(storedActor), profileName, JSON.stringify(mapping), fileName, format, input.dryRun ?? false],
      );
      let seq = 0;
      let size = 0;
      let pending: Buffer[] = [];
      let pendingLength = 0;
      const flush = async () => {
        if (!pendingLength) return;
        await em.query(`INSERT INTO import_file_chunks (agency_id, import_id, seq, data) VALUES ($1, $2, $3, $4)`, [agencyId, id, seq++, Buffer.concat(pending)]);
        pending = [];
        pendingLength = 0;
      };
      for await (const chunk of file.stream) {
        size += chunk.length;
        pending.push(chunk);
        pendingLength += chunk.length;
        if (pendingLength >= FILE_PIECE) await flush();
      }
      await flush();
      if (size === 0) throw ProblemException.validation([{ pointer: '#/file', detail: 'the file is empty', rule: 'non-empty' }]);
      await em.query(`UPDATE import_jobs SET size_bytes = $3 WHERE agency_id = $1 AND id = $2`, [agencyId, id, size]);
      if (opts.enqueue !== false) {
        if (!this.jobs) throw new Error('JobsService is not available');
        await this.jobs.send(IMPORT_QUEUE, { importId: id, agencyId }, { em });
      }
      await this.audit.append(em, {
        agencyId,
        actor: actor.clientId,
        action: 'imports.write',
        resourceType: 'import',
        resourceAgencyId: agencyId,
        resourceIds: [id],
        requestId: opts.requestId ?? null,
        details: { kind: def.kind, dryRun: input.dryRun ?? false, sizeBytes: size, format },
      });
      const [row]: JobRow[] = await em.query(`SELECT * FROM import_jobs WHERE agency_id = $1 AND id = $2`, [agencyId, id]);
      return this.toDto(row);
    });
  }

  // ---------------------------------------------------------------- status and errors

  async get(actor: Actor, id: string): Promise<ImportJobDto> {
    const row = await this.loadJob(actor.agencyId, id);
    if (!row) throw ProblemException.notFound('Import');
    return this.toDto(row);
  }

  private async loadJob(agencyId: AgencyId, id: string): Promise<JobRow | undefined> {
    const rows: JobRow[] = await this.db.withAgency(agencyId, ({ em }) => em.query(`SELECT * FROM import_jobs WHERE agency_id = $1 AND id = $2`, [agencyId, id]), {
      readOnly: true,
    });
    return rows[0];
  }

  async errors(actor: Actor, id: string, q: { limit?: number; cursor?: string }): Promise<ImportErrorPageDto> {
    const limit = q.limit ?? 100;
    const after = decodeCursor<[number, string]>(q.cursor, 2);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const [job] = await em.query(`SELECT id FROM import_jobs WHERE agency_id = $1 AND id = $2`, [agencyId, id]);
        if (!job) throw ProblemException.notFound('Import');
        const rows: ErrorRow[] = await em.query(
          `SELECT id, row_number, local_id, "column", value, reason, rule, pointer FROM import_errors
            WHERE agency_id = $1 AND import_id = $2 AND ($3::int IS NULL OR (row_number, id) > ($3::int, $4::uuid))
            ORDER BY row_number, id LIMIT $5`,
          [agencyId, id, after?.[0] ?? null, after?.[1] ?? null, limit + 1],
        );
        return pageOf(rows, limit, (r) => [r.row_number, r.id], toErrorDto);
      },
      { readOnly: true },
    );
  }

  /** Every error of the import as CSV lines (header first), read page by page. */
  async *errorsCsv(actor: Actor, id: string): AsyncGenerator<string> {
    if (!(await this.loadJob(actor.agencyId, id))) throw ProblemException.notFound('Import');
    yield csvLine(['row', 'localId', 'column', 'value', 'reason', 'rule', 'pointer']);
    let cursor: string | undefined;
    do {
      const page = await this.errors(actor, id, { limit: 500, cursor });
      yield page.items.map((e) => csvLine([e.rowNumber, e.localId, e.column, e.value, e.reason, e.rule, e.pointer])).join('');
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  toDto(r: JobRow): ImportJobDto {
    const size = Number(r.size_bytes);
    const done = r.status === 'succeeded';
    const progress = done ? 100 : size ? Math.min(99.9, Math.round((Number(r.bytes_read) / size) * 1000) / 10) : 0;
    let eta: number | null = null;
    if (r.status === 'running' && r.started_at && progress > 0) {
      const elapsed = (Date.now() - r.started_at.getTime()) / 1000;
      eta = Math.max(0, Math.round((elapsed * (100 - progress)) / progress));
    }
    return {
      id: r.id,
      kind: r.kind,
      status: r.status,
      fileName: r.file_name,
      format: r.format,
      sizeBytes: size,
      dryRun: r.dry_run,
      profileName: r.profile_name,
      rowsRead: r.rows_read,
      accepted: r.accepted,
      rejected: r.rejected,
      skipped: r.skipped,
      created: r.created_count,
      updated: r.updated_count,
      unchanged: r.unchanged_count,
      progress,
      etaSeconds: eta,
      ignoredColumns: r.ignored_columns,
      failure: r.failure,
      attempts: r.attempts,
      createdAt: r.created_at.toISOString(),
      startedAt: r.started_at ? r.started_at.toISOString() : null,
      finishedAt: r.finished_at ? r.finished_at.toISOString() : null,
      errorsUrl: `/v1/imports/${r.id}/errors`,
    };
  }

  // ---------------------------------------------------------------- the job

  /**
   * Runs (or resumes) an import. Idempotent: a finished import is left alone; rows up to the checkpoint
   * are skipped (only their localIds are re-read, for the duplicate check); the records are upserted by
   * localId, so a chunk written just before a crash comes back `unchanged`.
   */
  async run(agencyId: string, importId: string, onProgress?: (p: ImportProgress) => void): Promise<ImportJobDto> {
    const agency = asAgencyId(agencyId);
    const job = await this.db.withAgency(agency, async ({ em }) => {
      const rows: JobRow[] = await em.query(
        // A CTE, so the answer is rows (TypeORM answers [rows, count] for a bare UPDATE … RETURNING).
        `WITH u AS (UPDATE import_jobs SET status = 'running', attempts = attempts + 1, started_at = coalesce(started_at, now()), failure = NULL, updated_at = now()
          WHERE agency_id = $1 AND id = $2 AND (status = 'queued' OR (status = 'running' AND updated_at < now() - make_interval(secs => $3))) RETURNING *) SELECT * FROM u`,
        [agency, importId, this.leaseSeconds],
      );
      return rows[0];
    });
    if (!job) {
      const existing = await this.loadJob(agency, importId);
      if (!existing) throw new Error(`import ${importId} not found`);
      return this.toDto(existing);
    }
    // Heartbeat: keeps the claim while this attempt is alive (a killed process stops renewing it).
    const heartbeat = setInterval(
      () =>
        void this.db
          .withAgency(agency, ({ em }) => em.query(`UPDATE import_jobs SET updated_at = now() WHERE agency_id = $1 AND id = $2 AND status = 'running'`, [agency, importId]))
          .catch(() => undefined),
      Math.max(500, (this.leaseSeconds * 1000) / 3),
    );
    heartbeat.unref();
    try {
      await this.process(agency, job, onProgress);
    } catch (err) {
      if (err instanceof ImportFileError) {
        await this.db.withAgency(agency, ({ em }) =>
          em.query(`UPDATE import_jobs SET status = 'failed', failure = $3, finished_at = now(), updated_at = now() WHERE agency_id = $1 AND id = $2`, [
            agency,
            importId,
            err.message,
          ]),
        );
        return this.get(job.actor, importId);
      }
      // Anything else (database, crash): pg-boss retries; the next attempt resumes from the checkpoint.
      // The claim is released (queued) so the retry can take it at once; if this update fails too, the
      // claim lapses after the lease and resumeStale() re-enqueues the import.
      await this.db
        .withAgency(agency, ({ em }) =>
          em.query(`UPDATE import_jobs SET status = 'queued', failure = $3, updated_at = now() WHERE agency_id = $1 AND id = $2 AND status = 'running'`, [
            agency,
            importId,
            `attempt ${job.attempts} failed: ${(err as Error).message}`.slice(0, 500),
          ]),
        )
        .catch(() => undefined);
      throw err;
    } finally {
      clearInterval(heartbeat);
    }
    return this.get(job.actor, importId);
  }

  private async process(agency: AgencyId, job: JobRow, onProgress?: (p: ImportProgress) => void): Promise<void> {
    const def = this.kinds.get(job.kind);
    const actor = { ...job.actor, agencyId: agency };
    const fields = this.kinds.columns(def);
    const catalogs = [...new Set(fields.filter((f) => f.catalog).map((f) => f.catalog!))];
    const crosswalks = await this.db.withAgency(agency, ({ em }) => this.crosswalks.loadMap(em, agency, catalogs), { readOnly: true });
    const mapper = new RowMapper(fields, job.mapping, crosswalks);
    const counter = new ByteCounter();
    const source = counter.count(this.fileChunks(agency, job.id));
    const state = {
      rowsRead: job.rows_read,
      accepted: job.accepted,
      rejected: job.rejected,
      skipped: job.skipped,
      created: job.created_count,
      updated: job.updated_count,
      unchanged: job.unchanged_count,
    };
    const checkpoint = job.checkpoint_row;
    // Errors written after the checkpoint belong to a chunk that did not commit its checkpoint: redo them.
    await this.db.withAgency(agency, ({ em }) => em.query(`DELETE FROM import_errors WHERE agency_id = $1 AND import_id = $2 AND row_number > $3`, [agency, job.id, checkpoint]));
    const seen = new Map<string, number>();
    let pending: MappedRow[] = [];
    let chunkErrors: RowError[] = [];
    let lastRow = checkpoint;
    let dataStarted = false;
    const size = Number(job.size_bytes);

    const flush = async () => {
      const entries = pending.filter((p) => p.entry);
      const chunkState = { accepted: 0, rejected: 0, created: 0, updated: 0, unchanged: 0 };
      if (entries.length) {
        const results = await this.submit(def, actor, entries, job);
        results.forEach((res, i) => {
          const row = entries[i];
          if (res.status === 'rejected') {
            chunkState.rejected++;
            for (const e of res.errors ?? []) {
              const pointer = e.pointer.replace(/^#\/entries\/\d+/, '') || '/';
              const { column, value } = mapper.locate(pointer, row.cells);
              chunkErrors.push({ rowNumber: row.rowNumber, localId: row.localId, column, value, reason: e.detail, rule: e.rule ?? null, pointer });
            }
          } else {
            chunkState.accepted++;
            if (res.status === 'created') chunkState.created++;
            else if (res.status === 'updated') chunkState.updated++;
            else if (res.status === 'unchanged') chunkState.unchanged++;
          }
        });
      }
      chunkState.rejected += pending.filter((p) => !p.entry).length;
      state.accepted += chunkState.accepted;
      state.rejected += chunkState.rejected;
      state.created += chunkState.created;
      state.updated += chunkState.updated;
      state.unchanged += chunkState.unchanged;
      const errors = chunkErrors;
      await this.db.withAgency(agency, async ({ em }) => {
        if (errors.length) await insertErrors(em, agency, job.id, errors);
        await em.query(
          `UPDATE import_jobs SET rows_read = $3, accepted = $4, rejected = $5, skipped = $6, created_count = $7, updated_count = $8, unchanged_count = $9,
                  checkpoint_row = $10, bytes_read = $11, ignored_columns = $12, updated_at = now()
            WHERE agency_id = $1 AND id = $2`,
          [agency, job.id, state.rowsRead, state.accepted, state.rejected, state.skipped, state.created, state.updated, state.unchanged, lastRow, Math.min(counter.bytes, size), JSON.stringify(mapper.ignored)],
        );
      });
      pending = [];
      chunkErrors = [];
      onProgress?.({ rowsRead: state.rowsRead, accepted: state.accepted, rejected: state.rejected, progress: size ? Math.min(100, (counter.bytes / size) * 100) : 0 });
    };

    for await (const row of readRows(source, { format: job.format, encoding: job.mapping.encoding, delimiter: job.mapping.delimiter, sheet: job.mapping.sheet })) {
      if (!mapper.hasHeader) {
        if (row.cells.every((c) => c === null || String(c).trim() === '')) continue;
        if (!mapper.bindHeader(row.cells)) {
          throw new ImportFileError(`row ${row.rowNumber}: no column of the header maps to a field of ${def.kind} (check the profile's columns)`);
        }
        if (!mapper.hasLocalIdColumn) throw new ImportFileError(`row ${row.rowNumber}: no column maps to localId (every row needs the agency's own identifier)`);
        continue;
      }
      if (!dataStarted && mapper.isHeaderRow(row.cells)) continue;
      dataStarted = true;
      if (row.rowNumber <= checkpoint) {
        const localId = mapper.localIdOf(row.cells);
        if (localId && !seen.has(localId)) seen.set(localId, row.rowNumber);
        continue;
      }
      lastRow = row.rowNumber;
      state.rowsRead++;
      const mapped = mapper.map(row.rowNumber, row.cells);
      if (mapped.skip) {
        state.skipped++;
      } else {
        if (mapped.entry && mapped.localId) {
          const first = seen.get(mapped.localId);
          if (first !== undefined) {
            const { column, value } = mapper.locate('/localId', row.cells);
            mapped.errors.push({ rowNumber: row.rowNumber, localId: mapped.localId, column, value, reason: `localId ${mapped.localId} is also at row ${first}`, rule: 'unique-in-file', pointer: '/localId' });
            delete mapped.entry;
          } else seen.set(mapped.localId, row.rowNumber);
        }
        chunkErrors.push(...mapped.errors);
        pending.push(mapped);
      }
      if (pending.length >= IMPORT_CHUNK) await flush();
    }
    if (!mapper.hasHeader) throw new ImportFileError('the file has no header row');
    await flush();
    await this.db.withAgency(agency, async ({ em }) => {
      await em.query(`UPDATE import_jobs SET status = 'succeeded', finished_at = now(), bytes_read = size_bytes, updated_at = now() WHERE agency_id = $1 AND id = $2`, [agency, job.id]);
      // The file is no longer needed: the records (or, for a dry run, the report) are the result.
      await em.query(`DELETE FROM import_file_chunks WHERE agency_id = $1 AND import_id = $2`, [agency, job.id]);
    });
  }

  /**
   * One chunk through RecordsService.batch, exactly as POST /v1/{kind}/batch does. A dry run adds an
   * entry that always fails validation and sets `atomic`, so the batch validates every entry and writes
   * nothing (the service's own all-or-nothing rule); that sentinel's result is dropped.
   */
  private async submit(def: RecordKindDefinition<object>, actor: Actor, rows: MappedRow[], job: JobRow): Promise<BatchEntryResultDto[]> {
    const entries: unknown[] = rows.map((r) => r.entry);
    if (job.dry_run) entries.push({ localId: '' });
    const result = await this.records.batch(def, actor, { entries, atomic: job.dry_run, sourceSystem: 'puente-import', submissionId: job.id });
    const byIndex = new Map(result.results.map((r) => [r.index, r]));
    return rows.map((_, i) => byIndex.get(i)!);
  }

  /** The stored file, piece by piece (one short read-only transaction per piece). */
  private async *fileChunks(agency: AgencyId, importId: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const rows: Array<{ data: Buffer }> = await this.db.withAgency(
        agency,
        ({ em }) => em.query(`SELECT data FROM import_file_chunks WHERE agency_id = $1 AND import_id = $2 AND seq = $3`, [agency, importId, seq]),
        { readOnly: true },
      );
      if (!rows.length) {
        if (seq === 0) throw new ImportFileError('the uploaded file is no longer stored');
        return;
      }
      yield rows[0].data;
    }
  }

  /**
   * Re-enqueues imports left `running` by a worker that died (kill -9, power loss): their heartbeat is
   * older than the lease. pg-boss would only retry the dead worker's job after its expiry (15 min); the
   * new job claims the import at once and resumes from the checkpoint. Runs on worker instances every
   * half lease and at start-up. Returns the number of imports re-enqueued.
   */
  async resumeStale(): Promise<number> {
    if (!this.jobs) return 0;
    const stale: Array<{ id: string; agency_id: string }> = await this.db.system((em) =>
      em.query(`SELECT id, agency_id FROM import_jobs WHERE status = 'running' AND updated_at < now() - make_interval(secs => $1)`, [this.leaseSeconds]),
    );
    for (const s of stale) {
      await this.jobs.send(IMPORT_QUEUE, { importId: s.id, agencyId: s.agency_id }, { singletonKey: `resume-${s.id}` });
      this.logger.warn({ importId: s.id }, 'import worker lost; import re-enqueued to resume from its checkpoint');
    }
    return stale.length;
  }

  /** pg-boss handler. */
  async handle(batch: Array<{ id: string; data: { importId: string; agencyId: string } }>): Promise<void> {
    for (const j of batch) {
      const result = await this.run(j.data.agencyId, j.data.importId);
      this.logger.log({ importId: result.id, status: result.status, rowsRead: result.rowsRead, accepted: result.accepted, rejected: result.rejected }, 'import finished');
    }
  }
}

interface ErrorRow {
  id: string;
  row_number: number;
  local_id: string | null;
  column: string | null;
  value: string | null;
  reason: string;
  rule: string | null;
  pointer: string | null;
}

const toErrorDto = (r: ErrorRow): ImportRowErrorDto => ({
  rowNumber: r.row_number,
  localId: r.local_id,
  column: r.column,
  value: r.value,
  reason: r.reason,
  rule: r.rule,
  pointer: r.pointer,
});

async function insertErrors(em: EntityManager, agencyId: string, importId: string, errors: RowError[]): Promise<void> {
  await em.query(
    `INSERT INTO import_errors (agency_id, import_id, row_number, local_id, "column", value, reason, rule, pointer)
     SELECT $1, $2, x.row_number, left(x.local_id, 128), x."column", x.value, x.reason, left(x.rule, 64), x.pointer
       FROM jsonb_to_recordset($3::jsonb) AS x(row_number int, local_id text, "column" text, value text, reason text, rule text, pointer text)`,
    [
      agencyId,
      importId,
      JSON.stringify(errors.map((e) => ({ row_number: e.rowNumber, local_id: e.localId, column: e.column, value: e.value, reason: e.reason, rule: e.rule, pointer: e.pointer }))),
    ],
  );
}
