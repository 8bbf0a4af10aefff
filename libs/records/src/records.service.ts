import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import type { EntityManager } from 'typeorm';
import { type Actor, type Scope, hasScope } from '@app/auth';
import { AuditService } from '@app/audit';
import { catalogRegistry, isNullCode } from '@app/catalogs';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { DbContext } from '@app/db';
import { type FieldErrorDto, ProblemException, decodeCursor, encodeCursor, toFieldErrors } from '@app/http';
import { compact, contentHashOf, etagMatches, etagOf } from './canonical';
import { compileEntryValidator } from './fast-entry-validator';
import type { PreparedRecord, RecordKindDefinition, WrittenRecord } from './record-kind';
import type {
  AgencyQualityDto,
  BatchEntryResultDto,
  BatchResultDto,
  RecordChangePageDto,
  RecordMetaDto,
  RecordVersionPageDto,
  WithdrawalReason,
} from './records.dto';

/** Provenance of a write. */
export interface Provenance {
  sourceSystem?: string | null;
  submissionId?: string | null;
}

export interface Preconditions {
  ifMatch?: string;
  ifNoneMatch?: string;
}

interface RecordRow {
  id: string;
  local_id: string;
  version: number;
  content_hash: string;
  data: Record<string, unknown>;
  pii_enc: string | null;
  catalog_versions: Record<string, string>;
  quality: string;
  completeness: Record<string, string>;
  warnings: RecordMetaDto['warnings'];
  withdrawn_at: Date | null;
  withdrawn_reason: WithdrawalReason | null;
  source_system: string | null;
  created_at: Date;
  updated_at: Date;
  /** References with their resolution, when selected with SELECT_WITH_REFS. */
  refs?: Array<{ kind: string; localId: string; resolved: boolean }>;
  /** Victims only (SELECT_WITH_REFS): `{ k }`, the person cluster id (personKey) or null; null for other kinds. */
  person?: { k: string | null } | null;
}

export type RecordResponse = RecordMetaDto & { data: Record<string, unknown>; pii: Record<string, unknown> | null; personKey?: string | null };

const RECORD_COLUMNS = `id, local_id, version, content_hash, data, pii_enc, catalog_versions, quality, completeness, warnings, withdrawn_at,
  withdrawn_reason, source_system, created_at, updated_at`;

/** The record columns of alias `r` plus its references, resolved by a join, in one query. */
const SELECT_WITH_REFS = `SELECT ${RECORD_COLUMNS.split(',')
  .map((c) => `r.${c.trim()}`)
  .join(', ')},
  COALESCE((SELECT json_agg(json_build_object('kind', f.to_kind, 'localId', f.to_local_id, 'resolved', t.id IS NOT NULL) ORDER BY f.to_kind, f.to_local_id)
              FROM record_references f
              LEFT JOIN records t ON t.agency_id = f.agency_id AND t.kind = f.to_kind AND t.local_id = f.to_local_id
             WHERE f.agency_id = r.agency_id AND f.from_kind = r.kind AND f.from_local_id = r.local_id), '[]'::json) AS refs,
  CASE WHEN r.kind = 'victims' THEN json_build_object('k', (SELECT l.person_id FROM person_links l WHERE l.record_id = r.id)) END AS person`;

const VALIDATE_OPTIONS = { whitelist: true, forbidNonWhitelisted: true, validationError: { target: false, value: false } };

/** A list filter of a kind: SQL condition with `$n` placeholders numbered from `first`. */
export type ListFilter = (first: number) => { sql: string[]; params: unknown[] };

/**
 * The generic record store: idempotent create-or-replace (single and batch), reads with ETags,
 * versions with provenance, withdrawal, the change feed and the quality summary. Record kinds plug in
 * through a RecordKindDefinition. Everything runs inside DbContext.withAgency (RLS as second wall).
 */
@Injectable()
export class RecordsService {
  private readonly kinds = new Map<string, RecordKindDefinition<object>>();

  constructor(
    private readonly db: DbContext,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
    private readonly audit: AuditService,
  ) {}

  /**
   * Personal data is returned only with scope `pii:read` AND a declared purpose (`X-Purpose`, catalog
   * `purpose-of-access`); every such read is audited. An unknown purpose code is a 422.
   */
  private piiAccess(actor: Actor): 'granted' | 'scope' | 'purpose' {
    if (!hasScope(actor, 'pii:read' as Scope)) return 'scope';
    if (!actor.purpose) return 'purpose';
    if (!catalogRegistry().has('purpose-of-access', actor.purpose) || isNullCode(actor.purpose)) {
      throw ProblemException.validation([
        {
          pointer: 'header:X-Purpose',
          detail: `X-Purpose must be a code of catalog purpose-of-access`,
          rule: 'catalog',
          allowed: catalogRegistry().allowed('purpose-of-access').filter((c) => !isNullCode(c)),
          catalog: '/v1/catalogs/purpose-of-access',
        },
      ]);
    }
    return 'granted';
  }

  /** Audits a read that returned personal data (field names only, never values). */
  private async auditPiiRead(em: EntityManager, def: RecordKindDefinition<object>, actor: Actor, items: RecordResponse[]): Promise<void> {
    const withPii = items.filter((i) => i.pii);
    if (!withPii.length) return;
    await this.audit.append(em, {
      agencyId: actor.agencyId,
      actor: actor.clientId,
      action: `${def.kind}.read-pii`,
      resourceType: def.kind,
      resourceAgencyId: actor.agencyId,
      resourceIds: withPii.map((i) => i.localId),
      fields: [...new Set(withPii.flatMap((i) => Object.keys(i.pii ?? {})))].sort(),
      purpose: actor.purpose,
      requestId: actor.requestId,
    });
  }

  /** The registered record kinds (each registered by its controller), for imports, exports and docs. */
  definitions(): ReadonlyMap<string, RecordKindDefinition<object>> {
    return this.kinds;
  }

  register(def: RecordKindDefinition<object>): void {
    this.kinds.set(def.kind, def);
  }

  /** Hooks run inside every write/withdraw transaction with the changed record ids (e.g. libs/matching enqueues its job). */
  private readonly writeHooks: Array<(em: EntityManager, agencyId: string, kind: string, recordIds: string[]) => Promise<void>> = [];
  onWritten(hook: (em: EntityManager, agencyId: string, kind: string, recordIds: string[]) => Promise<void>): void {
    this.writeHooks.push(hook);
  }

  // ---------------------------------------------------------------- preparation

  /** Validates, normalises and hashes one document; pointers are prefixed with `base`. */
  private prepare(def: RecordKindDefinition<object>, doc: object, localId: string, index: number, base: string, context: unknown) {
    const normalised = def.normalise(doc);
    const check = def.check(normalised, context);
    if (check.errors.length) return { errors: check.errors.map((e) => ({ ...e, pointer: `${base}${e.pointer}` })) };
    const { data, pii } = def.split(normalised);
    const cleanData = compact(data);
    const cleanPii = pii && compact(pii);
    const completeness = def.completeness(normalised);
    const values = Object.values(completeness);
    const registry = catalogRegistry();
    const prepared: PreparedRecord = {
      index,
      localId,
      data: cleanData,
      pii: cleanPii,
      contentHash: contentHashOf(cleanData, cleanPii),
      quality: values.length ? Math.round((values.filter((v) => v === 'filled').length / values.length) * 1000) / 1000 : 1,
      completeness,
      warnings: check.warnings.map((w) => ({ ...w, pointer: `${base}${w.pointer}` })),
      catalogVersions: Object.fromEntries(def.catalogs.map((c) => [c, registry.version(c) ?? 'unknown'])),
      references: def.references(normalised),
    };
    return { prepared };
  }

  private async context(def: RecordKindDefinition<object>, agencyId: Actor['agencyId']): Promise<unknown> {
    if (!def.loadContext) return undefined;
    return this.db.withAgency(agencyId, ({ em }) => def.loadContext!(em, agencyId), { readOnly: true });
  }

  // ---------------------------------------------------------------- writes

  /** PUT: create or replace one record. */
  async put(
    def: RecordKindDefinition<object>,
    actor: Actor,
    localId: string,
    body: object,
    pre: Preconditions,
    prov: Provenance,
  ): Promise<{ created: boolean; record: RecordResponse }> {
    this.assertLocalId(localId);
    const context = await this.context(def, actor.agencyId);
    const result = this.prepare(def, body, localId, 0, '#', context);
    if (result.errors) throw ProblemException.validation(result.errors);
    const prepared = result.prepared!;
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      if (pre.ifMatch !== undefined || pre.ifNoneMatch !== undefined) {
        const [current] = await this.lockCurrent(em, agencyId, def.kind, localId);
        if (pre.ifNoneMatch !== undefined && current && etagMatches(pre.ifNoneMatch, etagOf(current.version, current.content_hash))) {
          throw new ProblemException(412, 'precondition-failed', { detail: 'The record already exists (If-None-Match)' });
        }
        if (pre.ifMatch !== undefined) {
          if (!current) throw ProblemException.notFound(def.label);
          if (!etagMatches(pre.ifMatch, etagOf(current.version, current.content_hash))) {
            throw new ProblemException(412, 'precondition-failed', { detail: `If-Match does not match the current ETag ${etagOf(current.version, current.content_hash)}` });
          }
        }
      }
      const [res] = await this.write(em, agencyId, def, [prepared], actor, prov);
      const row = await this.loadOne(em, agencyId, def.kind, localId);
      const record = this.toResponse(row!, actor);
      record.status = res.status as 'created' | 'updated' | 'unchanged';
      return { created: res.status === 'created', record };
    });
  }

  /** POST batch: up to 1,000 entries, a result per entry. */
  async batch(def: RecordKindDefinition<object>, actor: Actor, body: { entries: unknown[]; atomic?: boolean } & Provenance): Promise<BatchResultDto> {
    const context = await this.context(def, actor.agencyId);
    const results: BatchEntryResultDto[] = [];
    const good: PreparedRecord[] = [];
    const seen = new Map<string, number>();
    // Valid entries are accepted by a check compiled once from the DTO's own decorators; any entry it
    // does not accept goes through class-validator, which then reports the errors (same contract).
    const accepts = compileEntryValidator(def.entryClass);
    body.entries.forEach((raw, index) => {
      const base = `#/entries/${index}`;
      const localId = raw && typeof raw === 'object' && typeof (raw as { localId?: unknown }).localId === 'string' ? (raw as { localId: string }).localId : null;
      const reject = (errors: FieldErrorDto[]) => results.push({ index, localId, status: 'rejected', errors });
      let instance: object & { localId: string };
      if (accepts?.(raw)) instance = raw as object & { localId: string };
      else {
        instance = plainToInstance(def.entryClass, raw as object);
        const dtoErrors = validateSync(instance, VALIDATE_OPTIONS);
        if (dtoErrors.length) return reject(toFieldErrors(dtoErrors, base));
      }
      const first = seen.get(instance.localId);
      if (first !== undefined) {
        return reject([{ pointer: `${base}/localId`, detail: `localId ${instance.localId} is also at #/entries/${first}`, rule: 'unique-in-batch' }]);
      }
      seen.set(instance.localId, index);
      const { localId: id, ...doc } = instance;
      const result = this.prepare(def, doc, id, index, base, context);
      if (result.errors) return reject(result.errors);
      good.push(result.prepared!);
      results.push({ index, localId: id, status: 'not_written', warnings: result.prepared!.warnings.length ? result.prepared!.warnings : undefined });
    });
    const rejected = results.some((r) => r.status === 'rejected');
    if (good.length && !(body.atomic && rejected)) {
      const written = await this.db.withAgency(actor.agencyId, ({ em, agencyId }) => this.write(em, agencyId, def, good, actor, body));
      const byIndex = new Map(written.map((w) => [w.index, w]));
      for (const r of results) {
        const w = byIndex.get(r.index);
        if (w) Object.assign(r, { status: w.status, version: w.version });
      }
    }
    results.sort((a, b) => a.index - b.index);
    const count = (s: string) => results.filter((r) => r.status === s).length;
    return {
      results,
      summary: { created: count('created'), updated: count('updated'), unchanged: count('unchanged'), rejected: count('rejected'), notWritten: count('not_written') },
    };
  }

  /**
   * The set-based write of a batch (a handful of statements whatever its size). Rows are upserted in
   * localId order, so concurrent batches lock in the same order (no deadlocks); a row whose content
   * hash did not change is not updated, so resubmissions create no version.
   */
  private async write(
    em: EntityManager,
    agencyId: string,
    def: RecordKindDefinition<object>,
    entries: PreparedRecord[],
    actor: Actor,
    prov: Provenance,
  ): Promise<Array<{ index: number; localId: string; status: 'created' | 'updated' | 'unchanged'; version: number }>> {
    const all = [...entries].sort((a, b) => (a.localId < b.localId ? -1 : a.localId > b.localId ? 1 : 0));
    // Entries whose content hash equals the stored one (and not withdrawn) are unchanged: they are
    // neither encrypted nor sent to the upsert (resubmitting an export costs one indexed read). A row
    // changed by a concurrent transaction after this read is still safe: this write then counts as
    // having happened before that one (a no-op), and the upsert below re-checks the hash of the rest.
    const unchangedVersions = new Map<string, number>();
    const stored: Array<{ local_id: string; version: number; content_hash: string; withdrawn: boolean }> = await em.query(
      `SELECT local_id, version, content_hash, withdrawn_at IS NOT NULL AS withdrawn FROM records WHERE agency_id = $1 AND kind = $2 AND local_id = ANY($3::text[])`,
      [agencyId, def.kind, all.map((p) => p.localId)],
    );
    if (stored.length) {
      const hashOf = new Map(all.map((p) => [p.localId, p.contentHash]));
      for (const r of stored) if (!r.withdrawn && hashOf.get(r.local_id) === r.content_hash) unchangedVersions.set(r.local_id, r.version);
    }
    const sorted = unchangedVersions.size ? all.filter((p) => !unchangedVersions.has(p.localId)) : all;
    const input = sorted.map((p) => ({
      local_id: p.localId,
      content_hash: p.contentHash,
      data: p.data,
      pii_enc: p.pii ? this.cipher.encryptJson(p.pii) : null,
      catalog_versions: p.catalogVersions,
      quality: p.quality,
      completeness: p.completeness,
      warnings: p.warnings,
    }));
    // One statement: upsert the current rows, and append the versions and the change-feed entries of the
    // rows that actually changed (data-modifying CTEs see the upsert's RETURNING, no re-read).
    const changed: Array<{ id: string; local_id: string; version: number; inserted: boolean }> = !sorted.length ? [] : await em.query(
      `WITH up AS (
         INSERT INTO records AS r (agency_id, kind, local_id, version, content_hash, data, pii_enc, catalog_versions, quality, completeness, warnings, source_system)
         SELECT $1, $2, x.local_id, 1, x.content_hash, x.data, x.pii_enc, x.catalog_versions, x.quality, x.completeness, x.warnings, $4
           FROM jsonb_to_recordset($3::jsonb) AS x(local_id text, content_hash text, data jsonb, pii_enc text, catalog_versions jsonb,
                quality numeric, completeness jsonb, warnings jsonb)
          ORDER BY x.local_id
         ON CONFLICT ON CONSTRAINT uq_records_agency_kind_local DO UPDATE
            SET version = r.version + 1, content_hash = EXCLUDED.content_hash, data = EXCLUDED.data, pii_enc = EXCLUDED.pii_enc,
                catalog_versions = EXCLUDED.catalog_versions, quality = EXCLUDED.quality, completeness = EXCLUDED.completeness,
                warnings = EXCLUDED.warnings, source_system = EXCLUDED.source_system, withdrawn_at = NULL, withdrawn_reason = NULL, updated_at = now()
          WHERE r.content_hash <> EXCLUDED.content_hash OR r.withdrawn_at IS NOT NULL
         RETURNING r.id, r.agency_id, r.kind, r.local_id, r.version, r.content_hash, r.data, r.pii_enc,
                   CASE WHEN r.xmax::text = '0' THEN 'create' ELSE 'update' END AS op
       ),
       v AS (
         INSERT INTO record_versions (record_id, agency_id, kind, local_id, version, content_hash, data, pii_enc, op, client_id, source_system, submission_id)
         SELECT id, agency_id, kind, local_id, version, content_hash, data, pii_enc, op, $5, $4, $6 FROM up ORDER BY local_id
       ),
       c AS (
         INSERT INTO record_changes (txid, agency_id, kind, local_id, version, op)
         SELECT pg_current_xact_id()::text::bigint, agency_id, kind, local_id, version, op FROM up ORDER BY local_id
       )
       SELECT id, local_id, version, op = 'create' AS inserted FROM up`,
      [agencyId, def.kind, JSON.stringify(input), prov.sourceSystem ?? null, actor.clientId, prov.submissionId ?? null],
    );
    const byLocal = new Map(changed.map((c) => [c.local_id, c]));
    // Rows the upsert left alone although the read above saw them differ (a concurrent write made them equal).
    const unchangedIds = sorted.filter((p) => !byLocal.has(p.localId)).map((p) => p.localId);
    if (unchangedIds.length) {
      const rows: Array<{ local_id: string; version: number }> = await em.query(
        `SELECT local_id, version FROM records WHERE agency_id = $1 AND kind = $2 AND local_id = ANY($3::text[])`,
        [agencyId, def.kind, unchangedIds],
      );
      for (const r of rows) unchangedVersions.set(r.local_id, r.version);
    }
    if (changed.length) {
      // New records have no references yet; updated ones get theirs replaced.
      const updatedLocal = changed.filter((c) => !c.inserted).map((c) => c.local_id);
      if (updatedLocal.length) {
        await em.query(`DELETE FROM record_references WHERE agency_id = $1 AND from_kind = $2 AND from_local_id = ANY($3::text[])`, [
          agencyId,
          def.kind,
          updatedLocal,
        ]);
      }
      const refs = sorted
        .filter((p) => byLocal.has(p.localId))
        .flatMap((p) => p.references.map((r) => ({ from_local_id: p.localId, to_kind: r.kind, to_local_id: r.localId })));
      if (refs.length) {
        await em.query(
          `INSERT INTO record_references (agency_id, from_kind, from_local_id, to_kind, to_local_id)
           SELECT $1, $2, x.from_local_id, x.to_kind, x.to_local_id
             FROM jsonb_to_recordset($3::jsonb) AS x(from_local_id text, to_kind text, to_local_id text)
           ON CONFLICT DO NOTHING`,
          [agencyId, def.kind, JSON.stringify(refs)],
        );
      }
      const written: WrittenRecord[] = sorted
        .filter((p) => byLocal.has(p.localId))
        .map((p) => ({ recordId: byLocal.get(p.localId)!.id, localId: p.localId, data: p.data, pii: p.pii, created: byLocal.get(p.localId)!.inserted }));
      await def.project(em, agencyId, written);
      for (const hook of this.writeHooks) await hook(em, agencyId, def.kind, written.map((w) => w.recordId));
      // One audit entry per write statement, last in the transaction: which records, which fields (names only).
      await this.audit.append(em, {
        agencyId,
        actor: actor.clientId,
        action: `${def.kind}.write`,
        resourceType: def.kind,
        resourceAgencyId: agencyId,
        resourceIds: written.map((w) => w.localId),
        fields: [...new Set(written.flatMap((w) => [...Object.keys(w.data), ...Object.keys(w.pii ?? {})]))].sort(),
        requestId: actor.requestId,
        details: { created: changed.filter((c) => c.inserted).length, updated: changed.filter((c) => !c.inserted).length, submissionId: prov.submissionId ?? null },
      });
    }
    return entries.map((p) => {
      const c = byLocal.get(p.localId);
      return c
        ? { index: p.index, localId: p.localId, status: c.inserted ? 'created' : 'updated', version: c.version }
        : { index: p.index, localId: p.localId, status: 'unchanged', version: unchangedVersions.get(p.localId)! };
    });
  }

  /** Appends the current state of the given records to record_versions and record_changes. */
  private async appendHistory(em: EntityManager, agencyId: string, ids: string[], ops: string[], actor: Actor, prov: Provenance): Promise<void> {
    await em.query(
      `INSERT INTO record_versions (record_id, agency_id, kind, local_id, version, content_hash, data, pii_enc, op, withdrawn_reason, client_id, source_system, submission_id)
       SELECT r.id, r.agency_id, r.kind, r.local_id, r.version, r.content_hash, r.data, r.pii_enc, c.op, r.withdrawn_reason, $3, $4, $5
         FROM unnest($1::uuid[], $2::text[]) AS c(id, op) JOIN records r ON r.id = c.id
        ORDER BY r.local_id`,
      [ids, ops, actor.clientId, prov.sourceSystem ?? null, prov.submissionId ?? null],
    );
    await em.query(
      `INSERT INTO record_changes (txid, agency_id, kind, local_id, version, op)
       SELECT pg_current_xact_id()::text::bigint, r.agency_id, r.kind, r.local_id, r.version, c.op
         FROM unnest($1::uuid[], $2::text[]) AS c(id, op) JOIN records r ON r.id = c.id AND r.agency_id = $3
        ORDER BY r.local_id`,
      [ids, ops, agencyId],
    );
  }

  /** DELETE: withdrawal with a reason code; the record stays readable, flagged withdrawn. */
  async withdraw(def: RecordKindDefinition<object>, actor: Actor, localId: string, reason: WithdrawalReason, pre: Preconditions, prov: Provenance): Promise<RecordResponse> {
    this.assertLocalId(localId);
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const [current] = await this.lockCurrent(em, agencyId, def.kind, localId);
      if (!current) throw ProblemException.notFound(def.label);
      if (pre.ifMatch !== undefined && !etagMatches(pre.ifMatch, etagOf(current.version, current.content_hash))) {
        throw new ProblemException(412, 'precondition-failed', { detail: `If-Match does not match the current ETag ${etagOf(current.version, current.content_hash)}` });
      }
      if (!current.withdrawn_at) {
        await em.query(
          `UPDATE records SET withdrawn_at = now(), withdrawn_reason = $4, version = version + 1, updated_at = now()
            WHERE agency_id = $1 AND kind = $2 AND local_id = $3`,
          [agencyId, def.kind, localId, reason],
        );
        await this.appendHistory(em, agencyId, [current.id], ['withdraw'], actor, prov);
        for (const hook of this.writeHooks) await hook(em, agencyId, def.kind, [current.id]);
        await this.audit.append(em, {
          agencyId,
          actor: actor.clientId,
          action: `${def.kind}.withdraw`,
          resourceType: def.kind,
          resourceAgencyId: agencyId,
          resourceIds: [localId],
          requestId: actor.requestId,
          details: { reason },
        });
      }
      const row = await this.loadOne(em, agencyId, def.kind, localId);
      return this.toResponse(row!, actor);
    });
  }

  // ---------------------------------------------------------------- reads

  async get(def: RecordKindDefinition<object>, actor: Actor, localId: string): Promise<RecordResponse> {
    this.assertLocalId(localId);
    const access = this.piiAccess(actor);
    if (access !== 'granted') {
      // No personal data to audit: the one-round-trip scoped read.
      const [row] = await this.db.readScoped<RecordRow>(actor.agencyId, `${SELECT_WITH_REFS} FROM records r WHERE r.agency_id = $1 AND r.kind = $2 AND r.local_id = $3`, [
        actor.agencyId,
        def.kind,
        localId,
      ]);
      if (!row) throw ProblemException.notFound(def.label);
      return this.toResponses([row], access)[0];
    }
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const row = await this.loadOne(em, agencyId, def.kind, localId);
      if (!row) throw ProblemException.notFound(def.label);
      const record = this.toResponses([row], access)[0];
      await this.auditPiiRead(em, def, actor, [record]);
      return record;
    });
  }

  async list(
    def: RecordKindDefinition<object>,
    actor: Actor,
    query: { limit?: number; cursor?: string; includeWithdrawn?: 'true' | 'false' },
    filter: ListFilter,
  ): Promise<{ items: RecordResponse[]; nextCursor: string | null }> {
    const limit = query.limit ?? 100;
    const after = decodeCursor<[string]>(query.cursor, 1);
    const access = this.piiAccess(actor);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const params: unknown[] = [agencyId, def.kind];
        const where = ['r.agency_id = $1', 'r.kind = $2'];
        if (query.includeWithdrawn !== 'true') where.push('r.withdrawn_at IS NULL');
        if (after) {
          params.push(after[0]);
          where.push(`r.local_id > $${params.length}`);
        }
        const f = filter(params.length + 1);
        where.push(...f.sql);
        params.push(...f.params, limit + 1);
        const rows: RecordRow[] = await em.query(
          `${SELECT_WITH_REFS}
             FROM records r WHERE ${where.join(' AND ')} ORDER BY r.local_id LIMIT $${params.length}`,
          params,
        );
        const more = rows.length > limit;
        const page = more ? rows.slice(0, limit) : rows;
        const items = this.toResponses(page, access);
        if (access === 'granted') await this.auditPiiRead(em, def, actor, items);
        return { items, nextCursor: more ? encodeCursor([page[page.length - 1].local_id]) : null };
      },
      { readOnly: access !== 'granted' },
    );
  }

  async versions(def: RecordKindDefinition<object>, actor: Actor, localId: string, query: { limit?: number; cursor?: string }): Promise<RecordVersionPageDto> {
    this.assertLocalId(localId);
    const limit = query.limit ?? 100;
    const after = decodeCursor<[number]>(query.cursor, 1);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const exists = await this.loadOne(em, agencyId, def.kind, localId);
        if (!exists) throw ProblemException.notFound(def.label);
        const rows: Array<{
          version: number;
          op: 'create' | 'update' | 'withdraw';
          content_hash: string;
          client_id: string;
          source_system: string | null;
          submission_id: string | null;
          withdrawn_reason: WithdrawalReason | null;
          changed_at: Date;
          data: Record<string, unknown>;
        }> = await em.query(
          `SELECT version, op, content_hash, client_id, source_system, submission_id, withdrawn_reason, changed_at, data
             FROM record_versions WHERE agency_id = $1 AND kind = $2 AND local_id = $3 AND version > $4
            ORDER BY version LIMIT $5`,
          [agencyId, def.kind, localId, after?.[0] ?? 0, limit + 1],
        );
        const more = rows.length > limit;
        const page = more ? rows.slice(0, limit) : rows;
        return {
          items: page.map((r) => ({
            version: r.version,
            op: r.op,
            contentHash: r.content_hash,
            clientId: r.client_id,
            sourceSystem: r.source_system,
            submissionId: r.submission_id,
            withdrawnReason: r.withdrawn_reason,
            changedAt: r.changed_at.toISOString(),
            data: r.data,
          })),
          nextCursor: more ? encodeCursor([page[page.length - 1].version]) : null,
        };
      },
      { readOnly: true },
    );
  }

  /**
   * The change feed, exactly once: only changes of transactions older than every transaction still
   * running are returned, in (txid, seq) order after the cursor, so a change committed late by an
   * older transaction cannot fall behind a cursor that already moved past it.
   */
  async changes(actor: Actor, query: { after?: string; limit?: number }): Promise<RecordChangePageDto> {
    const kinds = [...this.kinds.values()].filter((d) => hasScope(actor, d.readScope)).map((d) => d.kind);
    if (!kinds.length) throw this.missingReadScope();
    const limit = query.limit ?? 500;
    const after = decodeCursor<[string, string]>(query.after, 2) ?? ['0', '0'];
    if (!after.every((v) => typeof v === 'string' && /^\d{1,19}$/.test(v))) {
      throw ProblemException.validation([{ pointer: '#/after', detail: 'after is not a cursor this API issued', rule: 'cursor' }]);
    }
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const rows: Array<{ seq: string; txid: string; kind: string; local_id: string; version: number; op: 'create' | 'update' | 'withdraw'; at: Date }> =
          await em.query(
            `SELECT seq::text, txid::text, kind, local_id, version, op, at FROM record_changes
              WHERE agency_id = $1 AND kind = ANY($2::text[])
                AND txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint
                AND (txid, seq) > ($3::bigint, $4::bigint)
              ORDER BY record_changes.txid, record_changes.seq LIMIT $5`,
            [agencyId, kinds, after[0], after[1], limit + 1],
          );
        const more = rows.length > limit;
        const page = more ? rows.slice(0, limit) : rows;
        const last = page[page.length - 1];
        return {
          items: page.map((r) => ({ kind: r.kind, localId: r.local_id, version: r.version, op: r.op, at: r.at.toISOString() })),
          nextCursor: encodeCursor(last ? [last.txid, last.seq] : after),
          hasMore: more,
        };
      },
      { readOnly: true },
    );
  }

  async quality(actor: Actor): Promise<AgencyQualityDto> {
    const defs = [...this.kinds.values()].filter((d) => hasScope(actor, d.readScope));
    if (!defs.length) throw this.missingReadScope();
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const totals: Array<{ kind: string; records: number; mean: number | null }> = await em.query(
          `SELECT kind, count(*)::int AS records, avg(quality)::float8 AS mean FROM records
            WHERE agency_id = $1 AND kind = ANY($2::text[]) AND withdrawn_at IS NULL GROUP BY kind`,
          [agencyId, defs.map((d) => d.kind)],
        );
        const cells: Array<{ kind: string; variable: string; status: string; n: number }> = await em.query(
          `SELECT r.kind, c.key AS variable, c.value AS status, count(*)::int AS n
             FROM records r, jsonb_each_text(r.completeness) c
            WHERE r.agency_id = $1 AND r.kind = ANY($2::text[]) AND r.withdrawn_at IS NULL GROUP BY 1, 2, 3`,
          [agencyId, defs.map((d) => d.kind)],
        );
        return {
          kinds: defs.map((d) => {
            const total = totals.find((t) => t.kind === d.kind);
            const n = total?.records ?? 0;
            const variables = [...new Set(cells.filter((c) => c.kind === d.kind).map((c) => c.variable))].sort();
            const share = (variable: string, status: string) => {
              const cell = cells.find((c) => c.kind === d.kind && c.variable === variable && c.status === status);
              return n && cell ? Math.round((cell.n / n) * 1000) / 1000 : 0;
            };
            return {
              kind: d.kind,
              records: n,
              meanCompleteness: total?.mean === null || total?.mean === undefined ? null : Math.round(total.mean * 1000) / 1000,
              variables: variables.map((v) => ({
                variable: v,
                filled: share(v, 'filled'),
                SI: share(v, 'SI'),
                NR: share(v, 'NR'),
                NA: share(v, 'NA'),
                RESERVED: share(v, 'RESERVED'),
                missing: share(v, 'missing'),
              })),
            };
          }),
        };
      },
      { readOnly: true },
    );
  }

  // ---------------------------------------------------------------- helpers

  private missingReadScope(): ProblemException {
    const scopes = [...this.kinds.values()].map((d) => d.readScope);
    return new ProblemException(403, 'missing-scope', { detail: `The token lacks a read scope (one of ${scopes.join(', ')})`, required: scopes });
  }

  private assertLocalId(localId: string): void {
    if (!/^[A-Za-z0-9._:/-]{1,128}$/.test(localId)) {
      throw ProblemException.validation([{ pointer: '#/localId', detail: 'localId must be 1–128 characters of [A-Za-z0-9._:/-]', rule: 'localId' }]);
    }
  }

  private lockCurrent(em: EntityManager, agencyId: string, kind: string, localId: string): Promise<RecordRow[]> {
    return em.query(`SELECT ${RECORD_COLUMNS} FROM records WHERE agency_id = $1 AND kind = $2 AND local_id = $3 FOR UPDATE`, [agencyId, kind, localId]);
  }

  private async loadOne(em: EntityManager, agencyId: string, kind: string, localId: string): Promise<RecordRow | undefined> {
    const rows: RecordRow[] = await em.query(`${SELECT_WITH_REFS} FROM records r WHERE r.agency_id = $1 AND r.kind = $2 AND r.local_id = $3`, [
      agencyId,
      kind,
      localId,
    ]);
    return rows[0];
  }

  /** The response to a write: personal data is echoed under the same rule as reads (audited by the write). */
  private toResponse(row: RecordRow, actor: Actor): RecordResponse {
    const access = hasScope(actor, 'pii:read' as Scope) ? (actor.purpose ? 'granted' : 'purpose') : 'scope';
    return this.toResponses([row], access === 'granted' ? this.piiAccess(actor) : access)[0];
  }

  /** Maps rows (selected with SELECT_WITH_REFS) to responses; personal data only when access is granted. */
  private toResponses(rows: RecordRow[], access: 'granted' | 'scope' | 'purpose'): RecordResponse[] {
    const canReadPii = access === 'granted';
    return rows.map((r) => ({
      localId: r.local_id,
      version: r.version,
      etag: etagOf(r.version, r.content_hash),
      contentHash: r.content_hash,
      piiMasked: !canReadPii && r.pii_enc !== null,
      ...(!canReadPii && r.pii_enc !== null ? { piiMaskedReason: access === 'scope' ? ('missing-scope' as const) : ('missing-purpose' as const) } : {}),
      withdrawn: r.withdrawn_at !== null,
      withdrawnAt: r.withdrawn_at ? r.withdrawn_at.toISOString() : null,
      withdrawnReason: r.withdrawn_reason,
      quality: Number(r.quality),
      completeness: r.completeness,
      warnings: r.warnings,
      catalogVersions: r.catalog_versions,
      references: r.refs ?? [],
      sourceSystem: r.source_system,
      createdAt: r.created_at.toISOString(),
      updatedAt: r.updated_at.toISOString(),
      data: r.data,
      pii: canReadPii && r.pii_enc ? this.cipher.decryptJson<Record<string, unknown>>(r.pii_enc) : null,
      // Victims: the pseudonymous id of the record's person cluster (libs/matching; null until matched).
      ...(r.person ? { personKey: r.person.k ?? null } : {}),
    }));
  }
}
