import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { decodeCursor, pageOf } from '@app/http';
import { AuditEntryEntity } from './audit-entry.entity';
import type { AuditEntryDto, AuditPageDto, AuditQueryDto } from './dto/audit.dto';

export interface AuditEvent {
  agencyId?: string | null;
  actor?: string | null;
  action: string;
  resourceType?: string;
  resourceAgencyId?: string | null;
  resourceIds?: string[];
  fields?: string[];
  purpose?: string | null;
  requestId?: string | null;
  outcome?: 'ok' | 'denied' | 'failed';
  details?: Record<string, unknown>;
}

const COLUMNS = 'txid, agency_id, actor, action, resource_type, resource_agency_id, resource_ids, fields, purpose, request_id, outcome, details';

/**
 * Appends to the hash-chained audit log. Call `append(em, …)` inside the transaction that does the
 * work, as its last statement (the chain lock is then held only until commit), or `appendNow(…)` for
 * events outside a transaction (authentication failures). Values of personal fields are never audited,
 * only their names.
 */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly ds: DataSource) {}

  private params(e: AuditEvent): unknown[] {
    return [
      e.agencyId ?? null,
      e.actor ?? null,
      e.action,
      e.resourceType ?? null,
      e.resourceAgencyId ?? null,
      e.resourceIds ?? [],
      e.fields ?? [],
      e.purpose ?? null,
      e.requestId ?? null,
      e.outcome ?? 'ok',
      JSON.stringify(e.details ?? {}),
    ];
  }

  async append(em: EntityManager, event: AuditEvent): Promise<void> {
    await em.query(`INSERT INTO audit_log (${COLUMNS}) VALUES (pg_current_xact_id()::text::bigint, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, this.params(event));
  }

  async appendNow(event: AuditEvent): Promise<void> {
    await this.ds.transaction((em) => this.append(em, event));
  }

  /**
   * Events visible to an agency: those it performed and those on its records; an oversight agency sees all.
   */
  async list(viewer: { agencyId: string; oversight: boolean }, q: AuditQueryDto): Promise<AuditPageDto> {
    const limit = q.limit ?? 100;
    const after = decodeCursor<[string]>(q.cursor, 1);
    const qb = this.ds.getRepository(AuditEntryEntity).createQueryBuilder('e').orderBy('e.seq', 'DESC').limit(limit + 1);
    if (!viewer.oversight) qb.andWhere('(e.agency_id = :agency OR e.resource_agency_id = :agency)', { agency: viewer.agencyId });
    if (after) qb.andWhere('e.seq < :after', { after: after[0] });
    if (q.action) qb.andWhere('e.action = :action', { action: q.action });
    if (q.resourceType) qb.andWhere('e.resource_type = :rt', { rt: q.resourceType });
    if (q.resourceId) qb.andWhere(':rid = ANY(e.resource_ids)', { rid: q.resourceId });
    if (q.from) qb.andWhere('e.at >= :from', { from: q.from });
    if (q.to) qb.andWhere('e.at < :to', { to: q.to });
    const rows = await qb.getMany();
    return pageOf(rows, limit, (r) => [r.seq], toDto);
  }

  /** Chains the entries of finished transactions (see the migration); returns how many were sealed. */
  async seal(maxRows = 100_000): Promise<number> {
    const [{ n }] = await this.ds.query('SELECT audit_seal($1) AS n', [maxRows]);
    return Number(n);
  }

  /**
   * Seals, then recomputes the chain: every sealed entry must hash to its `hash`, link to the previous
   * entry's hash and follow it in `chain_no`. Returns the first broken chain number, if any.
   */
  async verify(): Promise<{ ok: boolean; entries: number; unsealed: number; firstBrokenSeq: string | null; reason: string | null }> {
    await this.seal();
    const rows: Array<{ chain_no: string; ok: boolean; link_ok: boolean }> = await this.ds.query(`
      SELECT chain_no::text, hash = audit_entry_hash(prev_hash, a) AS ok,
             prev_hash = coalesce(lag(hash) OVER w, repeat('0', 64)) AND chain_no = coalesce(lag(chain_no) OVER w, 0) + 1 AS link_ok
        FROM audit_log a WHERE chain_no IS NOT NULL WINDOW w AS (ORDER BY chain_no) ORDER BY chain_no`);
    const [{ unsealed }] = await this.ds.query(`SELECT count(*)::int AS unsealed FROM audit_log WHERE hash IS NULL`);
    const broken = rows.find((r) => !r.ok || !r.link_ok);
    return {
      ok: !broken,
      entries: rows.length,
      unsealed,
      firstBrokenSeq: broken?.chain_no ?? null,
      reason: broken ? (!broken.ok ? 'entry content does not match its hash (altered)' : 'chain link broken (entry removed or inserted)') : null,
    };
  }
}

function toDto(e: AuditEntryEntity): AuditEntryDto {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    agencyId: e.agencyId,
    actor: e.actor,
    action: e.action,
    resourceType: e.resourceType,
    resourceAgencyId: e.resourceAgencyId,
    resourceIds: e.resourceIds,
    fields: e.fields,
    purpose: e.purpose,
    requestId: e.requestId,
    outcome: e.outcome,
    details: e.details,
    hash: e.hash,
    chainNo: e.chainNo,
  };
}
