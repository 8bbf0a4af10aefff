import type { EntityManager } from 'typeorm';
import { catalogRegistry, isNullCode } from '@app/catalogs';
import type { FieldErrorDto } from '@app/http';
import { checkDates, splitByFields } from '../kind-helpers';
import type { KindCheck, RecordKindDefinition, RecordWarning, WrittenRecord } from '../record-kind';
import { variableStatus } from '../victims/victim-kind';
import { ASSISTANCE_PII_FIELDS, AssistanceBatchEntryDto, type AssistanceDto } from './assistance.dto';

/**
 * The service type's CEAV model stage in catalog `service-type`: `NA` when it has none (redress), the
 * service type's own null code when it is one (an unknown service has an unknown stage).
 */
export function catalogStageOf(serviceType: string): string {
  if (isNullCode(serviceType)) return serviceType;
  const entry = catalogRegistry().entry('service-type', serviceType) as { ceavModelStage?: string | null } | undefined;
  return entry?.ceavModelStage ?? 'NA';
}

/** Whether the service type is emergency care in catalog `service-type` (false for null codes). */
export function catalogEmergencyOf(serviceType: string): boolean {
  const entry = catalogRegistry().entry('service-type', serviceType) as { emergency?: boolean } | undefined;
  return entry?.emergency === true;
}

/** Days from startDate to endDate, both included (null while there is no end). */
export function durationDays(startDate: string, endDate: string | undefined): number | null {
  if (!endDate) return null;
  return Math.round((Date.parse(`${endDate}T00:00:00Z`) - Date.parse(`${startDate}T00:00:00Z`)) / 86_400_000) + 1;
}

/** The `assistance` kind (R22, services ledger): one service given to a victim. */
export function assistanceKind(): RecordKindDefinition<AssistanceDto> {
  return {
    kind: 'assistance',
    label: 'Assistance record',
    readScope: 'victims:read',
    writeScope: 'victims:write',
    entryClass: AssistanceBatchEntryDto,
    catalogs: ['service-type', 'ceav-model-stage', 'agency-kind'],

    normalise: (a) => ({ ...a, providerName: a.providerName?.trim().replace(/\s+/g, ' ') || undefined, notes: a.notes?.trim() || undefined }),

    check(a): KindCheck {
      const errors: FieldErrorDto[] = [];
      const warnings: RecordWarning[] = [];
      checkDates(a as unknown as Record<string, unknown>, ['startDate', 'endDate'], errors);
      if (a.endDate && a.endDate < a.startDate) errors.push({ pointer: '/endDate', detail: 'endDate is before startDate', rule: 'end-after-start' });
      if (a.status === 'ongoing' && a.endDate) {
        errors.push({ pointer: '/endDate', detail: 'an ongoing service has no endDate (set status completed or interrupted)', rule: 'ongoing-without-end' });
      }
      if ((a.status === 'completed' || a.status === 'interrupted') && !a.endDate) {
        errors.push({ pointer: '/endDate', detail: `a ${a.status} service needs endDate`, rule: 'requires-end-date' });
      }
      const stage = catalogStageOf(a.serviceType);
      if (a.ceavModelStage && !isNullCode(a.ceavModelStage) && !isNullCode(stage) && a.ceavModelStage !== stage) {
        warnings.push({
          pointer: '/ceavModelStage',
          detail: `ceavModelStage ${a.ceavModelStage} differs from the stage of ${a.serviceType} in catalog service-type (${stage})`,
          rule: 'ceav-stage-mismatch',
        });
      }
      return { errors, warnings };
    },

    split: (a) => splitByFields(a, ASSISTANCE_PII_FIELDS),

    completeness(a) {
      return {
        serviceType: variableStatus(a.serviceType),
        providerKind: variableStatus(a.providerKind),
        ceavModelStage: variableStatus(a.ceavModelStage ?? catalogStageOf(a.serviceType)),
        duration: a.status === 'ongoing' || a.status === 'declined' ? 'NA' : a.endDate ? 'filled' : 'missing',
      };
    },

    references(a) {
      const refs = [{ kind: 'victims', localId: a.victimLocalId }];
      if (a.followUpOf) refs.push({ kind: 'assistance', localId: a.followUpOf });
      return refs;
    },

    async project(em: EntityManager, agencyId: string, written: WrittenRecord[]) {
      if (!written.length) return;
      const replaced = written.filter((w) => !w.created).map((w) => w.recordId);
      if (replaced.length) await em.query(`DELETE FROM assistance_facts WHERE agency_id = $1 AND record_id = ANY($2::uuid[])`, [agencyId, replaced]);
      const rows = written.map(({ recordId, localId, data }) => {
        const a = data as unknown as AssistanceDto;
        return {
          record_id: recordId,
          local_id: localId,
          victim_local_id: a.victimLocalId,
          service_type: a.serviceType,
          ceav_model_stage: a.ceavModelStage ?? catalogStageOf(a.serviceType),
          emergency: a.emergency ?? catalogEmergencyOf(a.serviceType),
          provider_kind: a.providerKind,
          start_date: a.startDate,
          end_date: a.endDate ?? null,
          duration_days: durationDays(a.startDate, a.endDate),
          status: a.status,
          referral_id: a.referralId ?? null,
          follow_up_of: a.followUpOf ?? null,
        };
      });
      await em.query(
        `INSERT INTO assistance_facts (record_id, agency_id, local_id, victim_local_id, service_type, ceav_model_stage, emergency, provider_kind,
           start_date, end_date, duration_days, status, referral_id, follow_up_of)
         SELECT x.record_id, $1, x.local_id, x.victim_local_id, x.service_type, x.ceav_model_stage, x.emergency, x.provider_kind,
           x.start_date, x.end_date, x.duration_days, x.status, x.referral_id, x.follow_up_of
         FROM jsonb_to_recordset($2::jsonb) AS x(record_id uuid, local_id text, victim_local_id text, service_type text, ceav_model_stage text,
           emergency boolean, provider_kind text, start_date date, end_date date, duration_days int, status text, referral_id uuid, follow_up_of text)`,
        [agencyId, JSON.stringify(rows)],
      );
    },
  };
}
