import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type Actor, hasScope } from '@app/auth';
import { AuditService } from '@app/audit';
import { catalogRegistry } from '@app/catalogs';
import { FIELD_CIPHER, type FieldCipher } from '@app/crypto';
import { DbContext } from '@app/db';
import { type FieldErrorDto, ProblemException, decodeCursor, pageOf } from '@app/http';
import { describedMinor } from '@app/records';
import { WebhooksService } from '@app/webhooks';
import type {
  AgencyRefDto,
  CreateReferralDto,
  ReferralDto,
  ReferralFilters,
  ReferralListQueryDto,
  ReferralPageDto,
  ReferralSummaryDto,
  ReferralTransitionDto,
} from './dto/referral.dto';
import {
  REFERRAL_STATUSES,
  type ReferralStatus,
  type ReferralUrgency,
  SHARE_GROUPS,
  type ShareGroup,
  type SubjectKind,
  TRANSITIONS,
  dueTimes,
} from './referral-rules';

type Json = Record<string, unknown>;

interface RecordRow {
  local_id: string;
  data: Json;
  pii_enc: string | null;
}

interface AgencyRow {
  id: string;
  code: string;
  name: string;
  kind: string;
  jurisdiction: string | null;
}

interface ReferralRow {
  id: string;
  sender_agency_id: string;
  receiver_agency_id: string;
  kind: 'referral' | 'notification';
  status: ReferralStatus;
  subject_kind: SubjectKind;
  subject_local_id: string;
  reason: string;
  services_requested: string[];
  urgency: string;
  involves_minor: boolean;
  state: string | null;
  shared: ShareGroup[];
  shared_data: Json;
  shared_pii_enc: string | null;
  note_enc: string | null;
  acknowledge_due_at: Date;
  respond_due_at: Date;
  acknowledged_at: Date | null;
  responded_at: Date | null;
  started_at: Date | null;
  closed_at: Date | null;
  decline_reason: string | null;
  outcome: string | null;
  outcome_case_reference: string | null;
  agreement_local_id: string | null;
  redirected_to_agency_id: string | null;
  redirected_to_referral_id: string | null;
  notification_id: string | null;
  version: number;
  created_at: Date;
  overdue: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const OVERDUE_SQL = `((r.status = 'sent' AND r.acknowledge_due_at < now()) OR (r.status = 'acknowledged' AND r.respond_due_at < now()))`;
const SELECT_REFERRAL = `SELECT r.*, ${OVERDUE_SQL} AS overdue,
  (SELECT n.id FROM referrals n WHERE n.notification_of_referral_id = r.id AND n.sender_agency_id = r.sender_agency_id LIMIT 1) AS notification_id
  FROM referrals r`;
const MINOR_AGE = 18;

/** Most referrals one CSV export returns (beyond that: narrow the period). */
export const EXPORT_MAX_ROWS = 100_000;
export const EXPORT_COLUMNS = [
  'id', 'kind', 'direction', 'status', 'sender_agency', 'receiver_agency', 'subject_kind', 'subject_local_id',
  'reason', 'urgency', 'involves_minor', 'state', 'services_requested', 'shared',
  'sent_at', 'acknowledge_due_at', 'respond_due_at', 'overdue',
  'acknowledged_at', 'responded_at', 'started_at', 'closed_at',
  'seconds_to_acknowledge', 'seconds_to_respond', 'seconds_to_close',
  'decline_reason', 'outcome', 'case_reference', 'redirected_to_agency',
];

/** One CSV line (RFC 4180 quoting; text starting with = + - @ gets a ' against formula injection). */
function csvLine(cells: Array<string | number | boolean | null | undefined>): string {
  return (
    cells
      .map((c) => {
        if (c === null || c === undefined) return '';
        let v = String(c);
        if (typeof c === 'string' && /^[=+\-@\t\r]/.test(v)) v = `'${v}`;
        return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
      })
      .join(',') + '\r\n'
  );
}

/** `sentTo` as a day means up to the end of that day. */
const periodEnd = (v: string) => (/^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(Date.parse(`${v}T00:00:00Z`) + 86_400_000).toISOString() : new Date(v).toISOString());

function checkPeriod(q: ReferralFilters): void {
  const errors: FieldErrorDto[] = [];
  for (const k of ['sentFrom', 'sentTo'] as const) {
    const v = q[k];
    if (v === undefined) continue;
    const t = Date.parse(v.length === 10 ? `${v}T00:00:00Z` : v);
    if (Number.isNaN(t) || (v.length === 10 && new Date(t).toISOString().slice(0, 10) !== v)) {
      errors.push({ pointer: `query:${k}`, detail: `${k} is not a valid date`, rule: 'isDate' });
    }
  }
  if (!errors.length && q.sentFrom && q.sentTo && Date.parse(q.sentFrom) >= Date.parse(periodEnd(q.sentTo))) {
    errors.push({ pointer: 'query:sentTo', detail: 'sentTo must be after sentFrom', rule: 'period' });
  }
  if (errors.length) throw ProblemException.validation(errors);
}

/** WHERE conditions of the list and the export; $1 is the acting agency. */
function filterSql(agencyId: string, q: ReferralFilters): { params: unknown[]; where: string[] } {
  const params: unknown[] = [agencyId];
  const where = [
    q.direction === 'incoming' ? 'r.receiver_agency_id = $1' : q.direction === 'outgoing' ? 'r.sender_agency_id = $1' : '(r.sender_agency_id = $1 OR r.receiver_agency_id = $1)',
  ];
  const add = (sql: string, v: unknown) => {
    params.push(v);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.status) add('r.status = ?', q.status);
  if (q.urgency) add('r.urgency = ?', q.urgency);
  if (q.sentFrom) add('r.created_at >= ?::timestamptz', new Date(q.sentFrom).toISOString());
  if (q.sentTo) add('r.created_at < ?::timestamptz', periodEnd(q.sentTo));
  if (q.overdue === 'true') where.push(OVERDUE_SQL);
  if (q.overdue === 'false') where.push(`NOT ${OVERDUE_SQL}`);
  return { params, where };
}

const pick = (o: Json, keys: string[]): Json => Object.fromEntries(keys.filter((k) => o[k] !== undefined).map((k) => [k, o[k]]));
const iso = (d: Date | null) => (d ? d.toISOString() : null);

function yearsBetween(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  return ty - fy - (tm < fm || (tm === fm && td < fd) ? 1 : 0);
}

/** Age at the event and current age of a victim record (null when unknown). */
function victimAges(d: Json): { atEvent: number | null; now: number | null } {
  const birth = typeof d.birthDate === 'string' ? d.birthDate : null;
  const event = typeof d.eventDate === 'string' ? d.eventDate : null;
  const atEvent = typeof d.ageAtEvent === 'number' ? d.ageAtEvent : birth && event ? yearsBetween(birth, event) : null;
  return { atEvent, now: birth ? yearsBetween(birth, new Date().toISOString().slice(0, 10)) : null };
}

/**
 * Referrals between agencies: sending with a snapshot of exactly what is shared, the state machine
 * (receiver only), time limits and overdue lists, the automatic notice to the child-protection
 * authority when a minor is involved, webhooks and audit for every step.
 */
@Injectable()
export class ReferralsService {
  constructor(
    private readonly db: DbContext,
    private readonly audit: AuditService,
    private readonly webhooks: WebhooksService,
    @Inject(FIELD_CIPHER) private readonly cipher: FieldCipher,
  ) {}

  // ---------------------------------------------------------------- send

  async send(actor: Actor, body: CreateReferralDto): Promise<ReferralDto> {
    const registry = catalogRegistry();
    const errors: FieldErrorDto[] = [];
    (body.servicesRequested ?? []).forEach((s, i) => {
      if (!registry.has('service-type', s)) {
        errors.push({ pointer: `#/servicesRequested/${i}`, detail: `${s} is not a code of catalog service-type`, rule: 'isCode', allowed: registry.allowed('service-type'), catalog: '/v1/catalogs/service-type' });
      }
    });
    const shared = [...new Set(body.shared)];
    shared.forEach((g, i) => {
      const allowedHere = Object.entries(SHARE_GROUPS).filter(([, v]) => (v.subjects as readonly string[]).includes(body.subject.kind)).map(([k]) => k);
      if (!allowedHere.includes(g)) errors.push({ pointer: `#/shared/${i}`, detail: `${g} cannot be shared for a ${body.subject.kind} subject`, rule: 'share-group', allowed: allowedHere });
    });
    if (errors.length) throw ProblemException.validation(errors);
    const personal = shared.filter((g) => SHARE_GROUPS[g].personal);
    if (personal.length && !hasScope(actor, 'pii:read')) {
      throw new ProblemException(403, 'missing-scope', { detail: `Sharing ${personal.join(', ')} requires the scope pii:read`, required: ['pii:read'] });
    }

    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const receiver = await this.agencyByCode(em, body.toAgency);
      if (!receiver) throw ProblemException.validation([{ pointer: '#/toAgency', detail: `no active agency with code ${body.toAgency}`, rule: 'unknown-agency' }]);
      if (receiver.id === agencyId) throw ProblemException.validation([{ pointer: '#/toAgency', detail: 'an agency cannot refer to itself', rule: 'not-self' }]);
      const agreementLocalId = body.agreementLocalId ? await this.checkAgreement(em, agencyId, body.agreementLocalId, receiver) : null;
      const snap = await this.snapshot(em, agencyId, body.subject.kind, body.subject.localId, shared);
      const state = body.state ?? snap.state ?? (receiver.jurisdiction && /^\d{2}$/.test(receiver.jurisdiction) ? receiver.jurisdiction : null);
      const main = await this.insertReferral(em, actor, {
        kind: 'referral',
        receiver,
        subjectKind: body.subject.kind,
        subjectLocalId: body.subject.localId,
        reason: body.reason,
        servicesRequested: [...new Set(body.servicesRequested ?? [])],
        urgency: body.urgency,
        involvesMinor: snap.involvesMinor,
        state,
        shared,
        sharedData: snap.data,
        sharedPersonal: snap.personal,
        note: body.note ?? null,
        agreementLocalId,
      });
      let notified: AgencyRow | null = null;
      if (snap.involvesMinor && state) {
        const cp = await this.childProtection(em, state);
        if (cp && cp.id !== receiver.id && cp.id !== agencyId) {
          notified = cp;
          await this.insertReferral(em, actor, {
            kind: 'notification',
            receiver: cp,
            subjectKind: body.subject.kind,
            subjectLocalId: body.subject.localId,
            reason: 'child_protection_notice',
            servicesRequested: [],
            urgency: 'immediate',
            involvesMinor: true,
            state,
            shared,
            sharedData: snap.data,
            sharedPersonal: snap.personal,
            note: null,
            notificationOf: main,
          });
        }
      }
      await this.audit.append(em, {
        agencyId,
        actor: actor.clientId,
        action: 'referrals.send',
        resourceType: 'referral',
        resourceAgencyId: receiver.id,
        resourceIds: [main],
        fields: shared,
        details: { subjectKind: body.subject.kind, urgency: body.urgency, involvesMinor: snap.involvesMinor, childProtectionNotified: notified?.code ?? null },
      });
      return this.load(em, actor, main);
    });
  }

  private async insertReferral(
    em: EntityManager,
    actor: Actor,
    r: {
      kind: 'referral' | 'notification';
      receiver: AgencyRow;
      subjectKind: SubjectKind;
      subjectLocalId: string;
      reason: string;
      servicesRequested: string[];
      urgency: ReferralUrgency;
      involvesMinor: boolean;
      state: string | null;
      shared: ShareGroup[];
      sharedData: Json;
      sharedPersonal: Json | null;
      note: string | null;
      notificationOf?: string;
      redirectedFrom?: string;
      agreementLocalId?: string | null;
    },
  ): Promise<string> {
    const now = new Date();
    const due = dueTimes(r.urgency, r.involvesMinor, now);
    const [row]: Array<{ id: string }> = await em.query(
      `INSERT INTO referrals (sender_agency_id, receiver_agency_id, kind, status, subject_kind, subject_local_id, reason, services_requested, urgency,
         involves_minor, state, shared, shared_data, shared_pii_enc, note_enc, acknowledge_due_at, respond_due_at, notification_of_referral_id,
         redirected_from_referral_id, created_by, created_at, updated_at, agreement_local_id)
       VALUES ($1, $2, $3, 'sent', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $21) RETURNING id`,
      [
        actor.agencyId,
        r.receiver.id,
        r.kind,
        r.subjectKind,
        r.subjectLocalId,
        r.reason,
        r.servicesRequested,
        r.urgency,
        r.involvesMinor,
        r.state,
        r.shared,
        JSON.stringify(r.sharedData),
        r.sharedPersonal ? this.cipher.encryptJson(r.sharedPersonal) : null,
        r.note ? this.cipher.encrypt(r.note) : null,
        due.acknowledgeDueAt,
        due.respondDueAt,
        r.notificationOf ?? null,
        r.redirectedFrom ?? null,
        actor.clientId,
        now,
        r.agreementLocalId ?? null,
      ],
    );
    await this.step(em, actor, { id: row.id, sender: actor.agencyId, receiver: r.receiver.id }, null, 'sent', { kind: r.kind });
    await this.webhooks.emit(em, [r.receiver.id], 'referral.received', {
      referralId: row.id,
      kind: r.kind,
      urgency: r.urgency,
      involvesMinor: r.involvesMinor,
      senderAgency: actor.agencyCode,
      acknowledgeDueAt: due.acknowledgeDueAt.toISOString(),
    });
    return row.id;
  }

  private async step(
    em: EntityManager,
    actor: Actor,
    r: { id: string; sender: string; receiver: string },
    from: ReferralStatus | null,
    to: ReferralStatus,
    details: Json,
  ): Promise<void> {
    await em.query(
      `INSERT INTO referral_events (referral_id, sender_agency_id, receiver_agency_id, from_status, to_status, actor_agency_id, actor_client_id, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [r.id, r.sender, r.receiver, from, to, actor.agencyId, actor.clientId, JSON.stringify(details)],
    );
  }

  /** Copies the shared groups from the sender's records (only what is asked, nothing else). */
  private async snapshot(
    em: EntityManager,
    agencyId: string,
    kind: SubjectKind,
    localId: string,
    shared: ShareGroup[],
  ): Promise<{ data: Json; personal: Json | null; involvesMinor: boolean; state: string | null }> {
    const subject = await this.record(em, agencyId, kind, localId);
    if (!subject) throw ProblemException.validation([{ pointer: '#/subject/localId', detail: `no ${kind} record ${localId} of the agency`, rule: 'unknown-record' }]);
    const d = subject.data;
    const pii = (rec: RecordRow): Json => (rec.pii_enc ? this.cipher.decryptJson<Json>(rec.pii_enc) : {});
    let victimIds: string[] = [];
    if (kind === 'victims') victimIds = [localId];
    if (kind === 'reports') victimIds = ((d.victims as Json[] | undefined) ?? []).map((v) => v.victimLocalId).filter((x): x is string => typeof x === 'string');
    if (kind === 'cases') victimIds = ((d.victims as Json[] | undefined) ?? []).map((v) => v.localId).filter((x): x is string => typeof x === 'string');
    const victims = victimIds.length ? await this.records(em, agencyId, 'victims', victimIds) : [];

    const data: Json = {};
    const personal: Json = {};
    const errors: FieldErrorDto[] = [];
    shared.forEach((g, i) => {
      switch (g) {
        case 'report.summary':
          data[g] = {
            ...pick(d, ['receivedAt', 'channel', 'contactType', 'callerRole', 'anonymous', 'callerOrigin', 'classification', 'environment', 'place', 'exploitationForms', 'platforms']),
            victims: ((d.victims as Json[] | undefined) ?? []).map((v) => pick(v, ['count', 'unquantified', 'sex', 'ageGroup', 'age', 'nationality'])),
          };
          break;
        case 'report.narrative':
          personal[g] = pii(subject).narrative ?? null;
          break;
        case 'report.reporterIdentity':
          if (d.consentToShareReporterIdentity !== true) {
            errors.push({ pointer: `#/shared/${i}`, detail: 'the reporter did not consent to their identity being shared', rule: 'reporter-consent' });
          } else personal[g] = pii(subject).reporter ?? null;
          break;
        case 'victim.demographics':
          data[g] = victims.map((v) => {
            const ages = victimAges(v.data);
            return {
              ...pick(v.data, ['sex', 'genderIdentity', 'nationality', 'stateOfOrigin', 'municipalityOfOrigin', 'indigenousLanguage', 'vulnerableGroups', 'disability', 'migrationStatus', 'victimType', 'offenses', 'exploitationForms']),
              ageAtEvent: ages.atEvent,
              age: ages.now,
            };
          });
          break;
        case 'victim.identity':
        case 'victim.contact': {
          const blocked = victims.filter((v) => v.data.consentToShare !== true || v.data.protectedIdentity === true).map((v) => v.local_id);
          if (blocked.length) {
            errors.push({ pointer: `#/shared/${i}`, detail: `victim(s) ${blocked.join(', ')} did not consent to sharing, or their identity is protected`, rule: 'victim-consent' });
          } else personal[g] = victims.map((v) => pick(pii(v), g === 'victim.identity' ? ['names', 'aliases', 'curp'] : ['phone', 'address']));
          break;
        }
        case 'case.summary': {
          const charges = (d.charges as Json[] | undefined) ?? [];
          data[g] = {
            ...pick(d, ['fileType', 'jurisdiction', 'state', 'openedOn', 'origin', 'legalBasis', 'status', 'platforms', 'internationalCooperation']),
            offenses: [...new Set(charges.map((c) => c.offense))],
            exploitationForms: [...new Set(charges.flatMap((c) => (c.exploitationForms as string[] | undefined) ?? []))],
          };
          break;
        }
        case 'case.narrative':
          personal[g] = pii(subject).narrative ?? null;
          break;
      }
    });
    if (errors.length) throw ProblemException.validation(errors);

    const minorVictim = victims.some((v) => {
      const a = victimAges(v.data);
      return (a.atEvent !== null && a.atEvent < MINOR_AGE) || (a.now !== null && a.now < MINOR_AGE);
    });
    const minorDescribed = kind === 'reports' && ((d.victims as Array<{ ageGroup?: string; age?: number }> | undefined) ?? []).some(describedMinor);
    const place = d.place as { state?: string } | undefined;
    const state = kind === 'reports' ? place?.state : kind === 'cases' ? (d.state as string | undefined) : undefined;
    return {
      data,
      personal: Object.keys(personal).length ? personal : null,
      involvesMinor: minorVictim || minorDescribed,
      state: state && /^\d{2}$/.test(state) ? state : kind === 'victims' && typeof d.stateOfOrigin === 'string' && /^\d{2}$/.test(d.stateOfOrigin) ? d.stateOfOrigin : null,
    };
  }

  // ---------------------------------------------------------------- transitions

  async transition(actor: Actor, id: string, body: ReferralTransitionDto): Promise<ReferralDto> {
    if (!UUID.test(id)) throw ProblemException.notFound('Referral');
    return this.db.withAgency(actor.agencyId, async ({ em, agencyId }) => {
      const [r]: ReferralRow[] = await em.query(
        `SELECT * FROM referrals WHERE id = $1 AND (sender_agency_id = $2 OR receiver_agency_id = $2) FOR UPDATE`,
        [id, agencyId],
      );
      if (!r) throw ProblemException.notFound('Referral');
      const allowed = r.receiver_agency_id === agencyId ? TRANSITIONS[r.status] : [];
      if (!allowed.includes(body.to)) {
        throw new ProblemException(409, 'invalid-transition', {
          detail:
            r.receiver_agency_id === agencyId
              ? `A referral in status ${r.status} cannot move to ${body.to}`
              : 'Only the receiving agency moves a referral through its statuses',
          allowed,
        });
      }
      const errors: FieldErrorDto[] = [];
      if (body.to === 'declined' && !body.reason) errors.push({ pointer: '#/reason', detail: 'reason is required to decline', rule: 'required-for-declined' });
      if (body.to === 'redirected' && !body.redirectTo) errors.push({ pointer: '#/redirectTo', detail: 'redirectTo is required to redirect', rule: 'required-for-redirected' });
      if (body.to === 'closed' && !body.outcome) errors.push({ pointer: '#/outcome', detail: 'outcome is required to close', rule: 'required-for-closed' });
      if (body.to === 'closed' && body.outcome === 'investigation_opened' && !body.caseReference) {
        errors.push({ pointer: '#/caseReference', detail: 'caseReference is required with outcome investigation_opened', rule: 'required-for-investigation' });
      }
      if (errors.length) throw ProblemException.validation(errors);

      const details: Json = {};
      const set: string[] = [];
      const params: unknown[] = [id];
      const add = (col: string, v: unknown) => {
        params.push(v);
        set.push(`${col} = $${params.length}`);
      };
      add('status', body.to);
      if (body.to === 'acknowledged') add('acknowledged_at', new Date());
      if (body.to === 'accepted') add('responded_at', new Date());
      if (body.to === 'declined') {
        add('responded_at', new Date());
        add('decline_reason', body.reason);
        details.reason = body.reason;
      }
      if (body.to === 'in_progress') add('started_at', new Date());
      if (body.to === 'closed') {
        add('closed_at', new Date());
        add('outcome', body.outcome);
        add('outcome_case_reference', body.caseReference ?? null);
        details.outcome = body.outcome;
        if (body.caseReference) details.caseReference = body.caseReference;
      }
      let newReferral: string | null = null;
      if (body.to === 'redirected') {
        const target = await this.agencyByCode(em, body.redirectTo!);
        if (!target || target.id === agencyId || target.id === r.sender_agency_id) {
          throw ProblemException.validation([{ pointer: '#/redirectTo', detail: `no other active agency with code ${body.redirectTo}`, rule: 'unknown-agency' }]);
        }
        add('responded_at', new Date());
        add('redirected_to_agency_id', target.id);
        details.redirectTo = target.code;
        // The new referral passes on exactly what was shared with this agency, nothing more.
        newReferral = await this.insertReferral(em, actor, {
          kind: 'referral',
          receiver: target,
          subjectKind: r.subject_kind,
          subjectLocalId: r.subject_local_id,
          reason: r.reason,
          servicesRequested: r.services_requested,
          urgency: r.urgency as ReferralUrgency,
          involvesMinor: r.involves_minor,
          state: r.state,
          shared: r.shared,
          sharedData: r.shared_data,
          sharedPersonal: r.shared_pii_enc ? this.cipher.decryptJson<Json>(r.shared_pii_enc) : null,
          note: null,
          redirectedFrom: r.id,
        });
        add('redirected_to_referral_id', newReferral);
      }
      await em.query(`UPDATE referrals SET ${set.join(', ')}, version = version + 1, updated_at = now() WHERE id = $1`, params);
      await this.step(em, actor, { id, sender: r.sender_agency_id, receiver: r.receiver_agency_id }, r.status, body.to, details);
      await this.webhooks.emit(em, [r.sender_agency_id, r.receiver_agency_id], 'referral.status_changed', {
        referralId: id,
        from: r.status,
        to: body.to,
        at: new Date().toISOString(),
        actorAgency: actor.agencyCode,
        ...details,
      });
      await this.audit.append(em, {
        agencyId,
        actor: actor.clientId,
        action: 'referrals.transition',
        resourceType: 'referral',
        resourceAgencyId: r.sender_agency_id,
        resourceIds: newReferral ? [id, newReferral] : [id],
        details: { from: r.status, to: body.to, ...details },
      });
      return this.load(em, actor, id);
    });
  }

  // ---------------------------------------------------------------- reads

  get(actor: Actor, id: string): Promise<ReferralDto> {
    if (!UUID.test(id)) throw ProblemException.notFound('Referral');
    return this.db.withAgency(actor.agencyId, ({ em }) => this.load(em, actor, id), { readOnly: true });
  }

  list(actor: Actor, q: ReferralListQueryDto): Promise<ReferralPageDto> {
    checkPeriod(q);
    const limit = q.limit ?? 100;
    const after = decodeCursor<[string, string]>(q.cursor, 2);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const { params, where } = filterSql(agencyId, q);
        if (after) {
          params.push(after[0], after[1]);
          where.push(`(r.created_at, r.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
        }
        params.push(limit + 1);
        const rows: ReferralRow[] = await em.query(`${SELECT_REFERRAL} WHERE ${where.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT $${params.length}`, params);
        const page = rows.slice(0, limit);
        const dtos = await this.toDtos(em, actor, page);
        const mapped = new Map(dtos.map((d) => [d.id, d]));
        return pageOf(rows, limit, (r) => [r.created_at.toISOString(), r.id], (r) => mapped.get(r.id)!);
      },
      { readOnly: true },
    );
  }

  /**
   * The agency's referrals matching the filters as CSV (one line per referral, oldest first), for its
   * own reporting: codes, agencies, time limits, timings and outcomes; no shared data, no personal data.
   */
  export(actor: Actor, q: ReferralFilters): Promise<{ csv: string; rows: number }> {
    checkPeriod(q);
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const { params, where } = filterSql(agencyId, q);
        params.push(EXPORT_MAX_ROWS + 1);
        const rows: Array<ReferralRow & { sender_code: string; receiver_code: string; redirected_code: string | null }> = await em.query(
          `SELECT r.*, ${OVERDUE_SQL} AS overdue, s.code AS sender_code, v.code AS receiver_code, d.code AS redirected_code
             FROM referrals r JOIN agencies s ON s.id = r.sender_agency_id JOIN agencies v ON v.id = r.receiver_agency_id
             LEFT JOIN agencies d ON d.id = r.redirected_to_agency_id
            WHERE ${where.join(' AND ')} ORDER BY r.created_at, r.id LIMIT $${params.length}`,
          params,
        );
        if (rows.length > EXPORT_MAX_ROWS) {
          throw ProblemException.validation([{ pointer: 'query:sentFrom', detail: `more than ${EXPORT_MAX_ROWS} referrals match: narrow the period (sentFrom, sentTo)`, rule: 'export-size' }]);
        }
        const secs = (a: Date | null, b: Date) => (a ? Math.round((a.getTime() - b.getTime()) / 1000) : null);
        const lines = [csvLine(EXPORT_COLUMNS)];
        for (const r of rows) {
          const outgoing = r.sender_agency_id === agencyId;
          lines.push(
            csvLine([
              r.id, r.kind, outgoing ? 'outgoing' : 'incoming', r.status, r.sender_code, r.receiver_code, r.subject_kind, outgoing ? r.subject_local_id : null,
              r.reason, r.urgency, r.involves_minor, r.state, r.services_requested.join(' '), r.shared.join(' '),
              r.created_at.toISOString(), r.acknowledge_due_at.toISOString(), r.respond_due_at.toISOString(), r.overdue,
              iso(r.acknowledged_at), iso(r.responded_at), iso(r.started_at), iso(r.closed_at),
              secs(r.acknowledged_at, r.created_at), secs(r.responded_at, r.created_at), secs(r.closed_at, r.created_at),
              r.decline_reason, r.outcome, r.outcome_case_reference, r.redirected_code,
            ]),
          );
        }
        return { csv: lines.join(''), rows: rows.length };
      },
      { readOnly: true },
    );
  }

  summary(actor: Actor, direction?: 'incoming' | 'outgoing'): Promise<ReferralSummaryDto> {
    return this.db.withAgency(
      actor.agencyId,
      async ({ em, agencyId }) => {
        const cond = direction === 'incoming' ? 'r.receiver_agency_id = $1' : direction === 'outgoing' ? 'r.sender_agency_id = $1' : '(r.sender_agency_id = $1 OR r.receiver_agency_id = $1)';
        const counts: Array<{ status: ReferralStatus; n: number }> = await em.query(`SELECT r.status, count(*)::int AS n FROM referrals r WHERE ${cond} GROUP BY r.status`, [agencyId]);
        const [t]: Array<{ overdue: number; ack: number | null; close: number | null }> = await em.query(
          `SELECT count(*) FILTER (WHERE ${OVERDUE_SQL})::int AS overdue,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.acknowledged_at - r.created_at)) FILTER (WHERE r.acknowledged_at IS NOT NULL) AS ack,
                  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM r.closed_at - r.created_at)) FILTER (WHERE r.closed_at IS NOT NULL) AS close
             FROM referrals r WHERE ${cond}`,
          [agencyId],
        );
        return {
          counts: REFERRAL_STATUSES.map((s) => ({ status: s, count: counts.find((c) => c.status === s)?.n ?? 0 })),
          overdue: t.overdue,
          medianSecondsToAcknowledge: t.ack === null ? null : Math.round(Number(t.ack)),
          medianSecondsToClose: t.close === null ? null : Math.round(Number(t.close)),
        };
      },
      { readOnly: true },
    );
  }

  // ---------------------------------------------------------------- helpers

  private async load(em: EntityManager, actor: Actor, id: string): Promise<ReferralDto> {
    const rows: ReferralRow[] = await em.query(`${SELECT_REFERRAL} WHERE r.id = $1 AND (r.sender_agency_id = $2 OR r.receiver_agency_id = $2)`, [id, actor.agencyId]);
    if (!rows.length) throw ProblemException.notFound('Referral');
    return (await this.toDtos(em, actor, rows))[0];
  }

  private async toDtos(em: EntityManager, actor: Actor, rows: ReferralRow[]): Promise<ReferralDto[]> {
    if (!rows.length) return [];
    const ids = rows.map((r) => r.id);
    const steps: Array<{ referral_id: string; from_status: ReferralStatus | null; to_status: ReferralStatus; at: Date; actor_agency_id: string; actor_client_id: string; details: Json }> =
      await em.query(
        `SELECT referral_id, from_status, to_status, at, actor_agency_id, actor_client_id, details FROM referral_events WHERE referral_id = ANY($1::uuid[]) ORDER BY seq`,
        [ids],
      );
    const agencyIds = [...new Set([...rows.flatMap((r) => [r.sender_agency_id, r.receiver_agency_id, r.redirected_to_agency_id]), ...steps.map((s) => s.actor_agency_id)].filter((x): x is string => !!x))];
    const agencies: AgencyRow[] = await em.query(`SELECT id, code, name, kind, jurisdiction FROM agencies WHERE id = ANY($1::uuid[])`, [agencyIds]);
    const ref = (aid: string): AgencyRefDto => {
      const a = agencies.find((x) => x.id === aid)!;
      return { id: a.id, code: a.code, name: a.name };
    };
    const canReadPii = hasScope(actor, 'pii:read');
    return rows.map((r) => {
      const isSender = r.sender_agency_id === actor.agencyId;
      const isReceiver = r.receiver_agency_id === actor.agencyId;
      return {
        id: r.id,
        kind: r.kind,
        direction: isSender ? 'outgoing' : 'incoming',
        status: r.status,
        senderAgency: ref(r.sender_agency_id),
        receiverAgency: ref(r.receiver_agency_id),
        subjectKind: r.subject_kind,
        subjectLocalId: isSender ? r.subject_local_id : null,
        reason: r.reason,
        servicesRequested: r.services_requested,
        urgency: r.urgency,
        involvesMinor: r.involves_minor,
        state: r.state,
        shared: r.shared,
        sharedData: r.shared_data,
        sharedPersonal: canReadPii && r.shared_pii_enc ? this.cipher.decryptJson<Json>(r.shared_pii_enc) : null,
        piiMasked: !canReadPii && (r.shared_pii_enc !== null || r.note_enc !== null),
        note: canReadPii && r.note_enc ? this.cipher.decrypt(r.note_enc) : null,
        sentAt: r.created_at.toISOString(),
        acknowledgeDueAt: r.acknowledge_due_at.toISOString(),
        respondDueAt: r.respond_due_at.toISOString(),
        overdue: r.overdue,
        acknowledgedAt: iso(r.acknowledged_at),
        respondedAt: iso(r.responded_at),
        startedAt: iso(r.started_at),
        closedAt: iso(r.closed_at),
        declineReason: r.decline_reason,
        outcome: r.outcome,
        caseReference: r.outcome_case_reference,
        agreementLocalId: r.agreement_local_id,
        redirectedToAgencyCode: r.redirected_to_agency_id ? ref(r.redirected_to_agency_id).code : null,
        redirectedToReferralId: isReceiver ? r.redirected_to_referral_id : null,
        childProtectionNotificationId: isSender ? r.notification_id : null,
        allowedTransitions: isReceiver ? TRANSITIONS[r.status] : [],
        history: steps
          .filter((s) => s.referral_id === r.id)
          .map((s) => ({ from: s.from_status, to: s.to_status, at: s.at.toISOString(), actorAgency: ref(s.actor_agency_id), actorClientId: s.actor_client_id, details: s.details })),
        version: r.version,
      };
    });
  }

  /**
   * R21: the cited agreement must be one of the sender's non-withdrawn `agreements` records, in force today, and,
   * when it names parties by directory code, name the receiver. Returns its localId.
   */
  private async checkAgreement(em: EntityManager, agencyId: string, localId: string, receiver: AgencyRow): Promise<string> {
    const [row]: Array<{ data: { validFrom: string; validTo?: string; parties: Array<{ agencyCode?: string }> } }> = await em.query(
      `SELECT data FROM records WHERE agency_id = $1 AND kind = 'agreements' AND local_id = $2 AND withdrawn_at IS NULL`,
      [agencyId, localId],
    );
    const fail = (detail: string, rule: string) => ProblemException.validation([{ pointer: '#/agreementLocalId', detail, rule }]);
    if (!row) throw fail(`the agency has no agreement ${localId} (see /v1/agreements)`, 'agreement-exists');
    const today = new Date().toISOString().slice(0, 10);
    if (row.data.validFrom > today || (row.data.validTo && row.data.validTo < today)) {
      throw fail(`agreement ${localId} is not in force today (${row.data.validFrom} – ${row.data.validTo ?? 'open'})`, 'agreement-in-force');
    }
    const codes = row.data.parties.map((p) => p.agencyCode).filter((c): c is string => !!c);
    if (codes.length && !codes.includes(receiver.code)) {
      throw fail(`agreement ${localId} does not name ${receiver.code} among its parties`, 'agreement-party');
    }
    return localId;
  }

  private async agencyByCode(em: EntityManager, code: string): Promise<AgencyRow | undefined> {
    const rows: AgencyRow[] = await em.query(
      `SELECT id, code, name, kind, jurisdiction FROM agencies WHERE code = $1 AND active AND merged_into_id IS NULL`,
      [code],
    );
    return rows[0];
  }

  private async childProtection(em: EntityManager, state: string): Promise<AgencyRow | undefined> {
    const rows: AgencyRow[] = await em.query(
      `SELECT id, code, name, kind, jurisdiction FROM agencies
        WHERE kind = 'child_protection' AND jurisdiction = $1 AND active AND merged_into_id IS NULL ORDER BY created_at, id LIMIT 1`,
      [state],
    );
    return rows[0];
  }

  private async record(em: EntityManager, agencyId: string, kind: string, localId: string): Promise<RecordRow | undefined> {
    return (await this.records(em, agencyId, kind, [localId]))[0];
  }

  private records(em: EntityManager, agencyId: string, kind: string, localIds: string[]): Promise<RecordRow[]> {
    return em.query(
      `SELECT local_id, data, pii_enc FROM records WHERE agency_id = $1 AND kind = $2 AND local_id = ANY($3::text[]) AND withdrawn_at IS NULL ORDER BY local_id`,
      [agencyId, kind, localIds],
    );
  }
}
