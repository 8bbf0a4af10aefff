import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Actor } from '@app/auth';
import { AuditService } from '@app/audit';
import { DbContext } from '@app/db';
import { ProblemException, decodeCursor, pageOf } from '@app/http';
import { JobsService } from '@app/jobs';
import type {
  ClusterMergeDto,
  ClusterOperationDto,
  ClusterSplitDto,
  MatchDecisionDto,
  MatchReviewDto,
  MatchReviewPageDto,
  MatchReviewQueryDto,
  MatchStatsDto,
  VictimMatchDto,
  VictimMatchesDto,
  VictimMatchesQueryDto,
  VictimPersonDto,
} from './dto/matches.dto';
import { MATCHING_OPS_QUEUE, MatchingEngineService } from './matching-engine.service';

export const MATCHING_RECLUSTER_QUEUE = 'matching.recluster';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface ReviewRow {
  id: string;
  status: string;
  score: string;
  levels: MatchReviewDto['levels'];
  decision: string | null;
  created_at: Date;
  created_key: string;
  agency_a: string;
  agency_b: string;
  agency_a_code: string;
  agency_b_code: string;
  local_a: string | null;
  local_b: string | null;
}

/**
 * The request side of matching: review tasks, decisions, cluster operations and cluster look-ups.
 * Everything runs in the caller's agency scope (RLS); cross-agency effects are queued for the worker.
 */
/** 422 for a localId the record kinds would never accept (before any query). */
function checkLocalId(localId: string): void {
  if (!/^[A-Za-z0-9._:/-]{1,128}$/.test(localId)) {
    throw ProblemException.validation([{ pointer: '#/localId', detail: 'localId must be 1–128 characters of [A-Za-z0-9._:/-]', rule: 'localId' }]);
  }
}

/** One of the agency's own victim records and its person cluster, or 404. */
async function ownVictim(em: EntityManager, agencyId: string, localId: string): Promise<{ id: string; person_id: string | null }> {
  const [rec]: Array<{ id: string; person_id: string | null }> = await em.query(
    `SELECT r.id, l.person_id FROM records r LEFT JOIN person_links l ON l.record_id = r.id AND l.agency_id = r.agency_id
      WHERE r.agency_id = $1 AND r.kind = 'victims' AND r.local_id = $2`,
    [agencyId, localId],
  );
  if (!rec) throw ProblemException.notFound('Victim');
  return rec;
}

@Injectable()
export class MatchesService {
  constructor(
    private readonly db: DbContext,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly engine: MatchingEngineService,
  ) {}

  async listReviews(actor: Actor, q: MatchReviewQueryDto): Promise<MatchReviewPageDto> {
    const limit = q.limit ?? 100;
    const after = decodeCursor<[string, string]>(q.cursor, 2);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const rows: ReviewRow[] = await em.query(
          `SELECT r.id, r.status, r.score, r.levels, r.decision, r.created_at, r.created_at::text AS created_key, r.agency_a, r.agency_b,
                  r.agency_a_code, r.agency_b_code, ra.local_id AS local_a, rb.local_id AS local_b
             FROM match_reviews r
             LEFT JOIN records ra ON ra.id = r.record_a AND ra.agency_id = $1
             LEFT JOIN records rb ON rb.id = r.record_b AND rb.agency_id = $1
            WHERE (r.agency_a = $1 OR r.agency_b = $1) AND r.status = $2
              AND ($3::timestamptz IS NULL OR (r.created_at, r.id) > ($3::timestamptz, $4::uuid))
            ORDER BY r.created_at, r.id
            LIMIT $5`,
          [agencyId, q.status ?? 'pending', after?.[0] ?? null, after?.[1] ?? null, limit + 1],
        );
        return pageOf(rows, limit, (r) => [r.created_key, r.id], (r) => this.toReview(r, agencyId));
      },
      { readOnly: true },
    );
  }

  private toReview(r: ReviewRow, agencyId: string): MatchReviewDto {
    const side = (agency: string, code: string, local: string | null) => ({ agencyCode: code, own: agency === agencyId, localId: agency === agencyId ? local : null });
    return {
      id: r.id,
      status: r.status,
      score: Number(r.score),
      levels: r.levels,
      decision: r.decision,
      records: [side(r.agency_a, r.agency_a_code, r.local_a), side(r.agency_b, r.agency_b_code, r.local_b)],
      createdAt: r.created_at.toISOString(),
    };
  }

  /** Stores a reviewer decision (never overridden by automatic runs) and queues the re-clustering. */
  async decide(actor: Actor, reviewId: string, body: MatchDecisionDto, requestId?: string): Promise<MatchReviewDto> {
    if (!UUID.test(reviewId)) throw ProblemException.notFound('Match review');
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const [review]: Array<{ id: string; record_a: string; record_b: string; agency_a: string; agency_b: string; status: string }> = await em.query(
        `SELECT id, record_a, record_b, agency_a, agency_b, status FROM match_reviews WHERE id = $1 AND (agency_a = $2 OR agency_b = $2) FOR UPDATE`,
        [reviewId, agencyId],
      );
      if (!review) throw ProblemException.notFound('Match review');
      if (review.status !== 'pending') throw new ProblemException(409, 'conflict', { detail: `The review is ${review.status}` });
      await em.query(
        `INSERT INTO match_decisions (record_a, record_b, agency_a, agency_b, decision, agency_id, client_id, reason, source, review_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'review', $9)
         ON CONFLICT (record_a, record_b) DO UPDATE SET decision = EXCLUDED.decision, agency_id = EXCLUDED.agency_id, client_id = EXCLUDED.client_id,
           reason = EXCLUDED.reason, source = EXCLUDED.source, review_id = EXCLUDED.review_id, decided_at = now()`,
        [review.record_a, review.record_b, review.agency_a, review.agency_b, body.decision, agencyId, actor.clientId, body.reason, review.id],
      );
      await em.query(`UPDATE match_reviews SET status = 'decided', decision = $2, updated_at = now() WHERE id = $1`, [review.id, body.decision]);
      await this.jobs.send(MATCHING_RECLUSTER_QUEUE, { recordIds: [review.record_a, review.record_b] }, { em });
      const [row]: ReviewRow[] = await em.query(
        `SELECT r.id, r.status, r.score, r.levels, r.decision, r.created_at, r.created_at::text AS created_key, r.agency_a, r.agency_b,
                r.agency_a_code, r.agency_b_code, ra.local_id AS local_a, rb.local_id AS local_b
           FROM match_reviews r
           LEFT JOIN records ra ON ra.id = r.record_a AND ra.agency_id = $2
           LEFT JOIN records rb ON rb.id = r.record_b AND rb.agency_id = $2
          WHERE r.id = $1`,
        [review.id, agencyId],
      );
      await this.audit.append(em, {
        agencyId,
        actor: actor.clientId,
        action: 'matches.decide',
        resourceType: 'match_review',
        resourceAgencyId: agencyId,
        resourceIds: [review.id],
        fields: ['decision', 'reason'],
        purpose: 'deduplication',
        requestId: requestId ?? null,
        details: { decision: body.decision },
      });
      return this.toReview(row, agencyId);
    });
  }

  /** Own victim records linked to a person (RLS: own rows only); 404 when none (cluster not visible). */
  private async ownMembers(em: import('typeorm').EntityManager, agencyId: string, personId: string): Promise<Array<{ record_id: string; local_id: string }>> {
    if (!UUID.test(personId)) return [];
    return em.query(
      `SELECT l.record_id, r.local_id FROM person_links l JOIN records r ON r.id = l.record_id AND r.agency_id = l.agency_id
        WHERE l.agency_id = $1 AND l.person_id = $2 ORDER BY r.local_id`,
      [agencyId, personId],
    );
  }

  async split(actor: Actor, personId: string, body: ClusterSplitDto, requestId?: string): Promise<ClusterOperationDto> {
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const own = await this.ownMembers(em, agencyId, personId);
      if (!own.length) throw ProblemException.notFound('Person');
      const byLocal = new Map(own.map((o) => [o.local_id, o.record_id]));
      const errors = body.localIds
        .map((l, i) => ({ l, i }))
        .filter(({ l }) => !byLocal.has(l))
        .map(({ i }) => ({ pointer: `#/localIds/${i}`, detail: 'not a victim record of your agency linked to this person', rule: 'cluster-member' }));
      if (errors.length) throw ProblemException.validation(errors);
      return this.queueOp(em, actor, agencyId, 'split', personId, null, [...new Set(body.localIds.map((l) => byLocal.get(l)!))], body.reason, requestId);
    });
  }

  async merge(actor: Actor, personId: string, body: ClusterMergeDto, requestId?: string): Promise<ClusterOperationDto> {
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const own = await this.ownMembers(em, agencyId, personId);
      if (!own.length) throw ProblemException.notFound('Person');
      if (body.otherPersonId.toLowerCase() === personId.toLowerCase()) {
        throw ProblemException.validation([{ pointer: '#/otherPersonId', detail: 'otherPersonId is this person', rule: 'different-person' }]);
      }
      const other = await this.ownMembers(em, agencyId, body.otherPersonId);
      if (!other.length) throw ProblemException.notFound('Person');
      return this.queueOp(em, actor, agencyId, 'merge', personId, body.otherPersonId, [own[0].record_id, other[0].record_id], body.reason, requestId);
    });
  }

  private async queueOp(
    em: import('typeorm').EntityManager,
    actor: Actor,
    agencyId: string,
    op: 'split' | 'merge',
    personId: string,
    otherPersonId: string | null,
    recordIds: string[],
    reason: string,
    requestId?: string,
  ): Promise<ClusterOperationDto> {
    const [row]: Array<{ id: string }> = await em.query(
      `INSERT INTO match_cluster_ops (agency_id, op, person_id, other_person_id, record_ids, client_id, reason, status)
       VALUES ($1, $2, $3, $4, $5::uuid[], $6, $7, 'queued') RETURNING id`,
      [agencyId, op, personId, otherPersonId, recordIds, actor.clientId, reason],
    );
    await this.jobs.send(MATCHING_OPS_QUEUE, { opId: row.id }, { em });
    await this.audit.append(em, {
      agencyId,
      actor: actor.clientId,
      action: `matches.${op}`,
      resourceType: 'person',
      resourceAgencyId: agencyId,
      resourceIds: [personId, ...(otherPersonId ? [otherPersonId] : []), ...recordIds],
      fields: ['reason'],
      purpose: 'deduplication',
      requestId: requestId ?? null,
      details: { operationId: row.id },
    });
    return { operationId: row.id, op, status: 'queued' };
  }

  async personOf(actor: Actor, localId: string): Promise<VictimPersonDto> {
    checkLocalId(localId);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const rec = await ownVictim(em, agencyId, localId);
        if (!rec.person_id) return { localId, personId: null, records: 1, agencies: 1 };
        const [sum]: Array<{ records: number; agencies: number }> = await em.query(`SELECT records, agencies FROM matching_person_summary($1)`, [rec.person_id]);
        return { localId, personId: rec.person_id, records: sum.records, agencies: sum.agencies };
      },
      { readOnly: true },
    );
  }

  /**
   * Candidate matches of one of the caller's victim records (stored pairs, highest score first): the other
   * side's agency code and kind, `localId` only for the caller's own records, score, outcome, stored levels,
   * whether the two are in one cluster now and the reviewer decision. No value of any record.
   */
  async matchesOf(actor: Actor, localId: string, q: VictimMatchesQueryDto): Promise<VictimMatchesDto> {
    checkLocalId(localId);
    const limit = q.limit ?? 20;
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const rec = await ownVictim(em, agencyId, localId);
        const rows: Array<{ other: string; other_agency: string; agency_code: string; agency_kind: string | null; other_local: string | null; score: string; levels: VictimMatchDto['fields']; outcome: string; decision: string | null }> =
          await em.query(
            `SELECT x.other, x.other_agency, ag.code AS agency_code, ag.kind AS agency_kind, o.local_id AS other_local, x.score, x.levels, x.outcome, d.decision
               FROM (SELECT CASE WHEN p.record_a = $2 THEN p.record_b ELSE p.record_a END AS other,
                            CASE WHEN p.record_a = $2 THEN p.agency_b ELSE p.agency_a END AS other_agency,
                            p.record_a, p.record_b, p.score, p.levels, p.outcome
                       FROM match_pairs p
                      WHERE (p.record_a = $2 AND p.agency_a = $1) OR (p.record_b = $2 AND p.agency_b = $1)) x
               JOIN agencies ag ON ag.id = x.other_agency
               LEFT JOIN records o ON o.id = x.other AND o.agency_id = $1
               LEFT JOIN match_decisions d ON d.record_a = x.record_a AND d.record_b = x.record_b
              ORDER BY x.score DESC, ag.code, x.other
              LIMIT $3`,
            [agencyId, rec.id, limit],
          );
        const same = new Set<string>(
          rows.length
            ? (await em.query(`SELECT record_id FROM matching_same_person($1, $2::uuid[])`, [rec.id, rows.map((r) => r.other)])).map((r: { record_id: string }) => r.record_id)
            : [],
        );
        const items: VictimMatchDto[] = rows.map((r) => {
          const own = r.other_agency === agencyId;
          return {
            agencyCode: r.agency_code,
            ...(r.agency_kind ? { agencyKind: r.agency_kind } : {}),
            own,
            ...(own && r.other_local ? { localId: r.other_local } : {}),
            score: Number(r.score),
            strength: r.outcome === 'link' || r.outcome === 'review' ? r.outcome : 'below',
            fields: r.levels,
            samePerson: same.has(r.other),
            decision: r.decision,
          };
        });
        return { localId, personKey: rec.person_id, items };
      },
      { readOnly: true },
    );
  }

  async stats(actor: Actor): Promise<MatchStatsDto> {
    return this.db.withAgency(
      actor.agencyId,
      async ({ em }) => {
        const [s]: Array<{ pairs_compared: string; links: string; reviews_pending: string; persons_multi: string; records_profiled: string }> = await em.query(
          `SELECT * FROM matching_stats()`,
        );
        return {
          pairsCompared: Number(s.pairs_compared),
          links: Number(s.links),
          reviewsPending: Number(s.reviews_pending),
          personsWithSeveralRecords: Number(s.persons_multi),
          recordsProfiled: Number(s.records_profiled),
          modelVersion: this.engine.model.version,
          thresholds: { upper: this.engine.model.thresholds.upper, lower: this.engine.model.thresholds.lower },
        };
      },
      { readOnly: true },
    );
  }
}
