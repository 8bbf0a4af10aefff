import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `GET /v1/victims/{localId}/matches` tells, for each stored candidate pair of one of the caller's victim
 * records, whether the other record is in the same person cluster now. The request role sees only its
 * own `person_links` (RLS), so this SECURITY DEFINER function answers that one question: which of the
 * given records are in the cluster of `p_record`, restricted to `p_record` being a record of the current
 * agency (`app.agency_id`) and to records that form a stored pair with it. It returns only ids the caller
 * passed in (no cluster member is revealed that the caller does not already see as a pair side).
 */
export class MatchingSamePerson1764911200000 implements MigrationInterface {
  name = 'MatchingSamePerson1764911200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION matching_same_person(p_record uuid, p_others uuid[]) RETURNS TABLE(record_id uuid)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT o.record_id
          FROM person_links s
          JOIN person_links o ON o.person_id = s.person_id AND o.record_id <> s.record_id
         WHERE s.record_id = p_record
           AND s.agency_id = current_setting('app.agency_id', true)::uuid
           AND o.record_id = ANY(p_others)
           AND EXISTS (SELECT 1 FROM match_pairs p
                        WHERE (p.record_a = p_record AND p.record_b = o.record_id) OR (p.record_b = p_record AND p.record_a = o.record_id))
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION matching_same_person(uuid, uuid[]) FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION matching_same_person(uuid, uuid[]) TO puente_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION matching_same_person(uuid, uuid[])`);
  }
}
