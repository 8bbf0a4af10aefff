import { type MatchProfile, buildProfile } from './engine';

/** The pseudonymous fields of a victim record's `data` that go into its match profile. */
export const PROFILE_DATA_FIELDS = ['sex', 'birthDate', 'ageAtEvent', 'eventDate', 'identifiedOn', 'nationality', 'stateOfOrigin', 'municipalityOfOrigin'] as const;

/** The match profile of a victim record: personal data (decrypted `pii`: names, CURP) + pseudonymous `data`. */
export function profileOfRecord(pii: Record<string, unknown>, d: Record<string, unknown>): MatchProfile | null {
  return buildProfile({
    names: pii.names as never,
    curp: pii.curp as string | undefined,
    sex: d.sex as string | undefined,
    birthDate: d.birthDate as string | undefined,
    ageAtEvent: d.ageAtEvent as number | undefined,
    eventDate: d.eventDate as string | undefined,
    identifiedOn: d.identifiedOn as string | undefined,
    nationality: Array.isArray(d.nationality) ? (d.nationality as string[]) : undefined,
    stateOfOrigin: d.stateOfOrigin as string | undefined,
    municipalityOfOrigin: d.municipalityOfOrigin as string | undefined,
  });
}
