import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Matching of victim records across agencies (libs/matching): encrypted comparison profiles, keyed-hash
 * blocking keys, scored candidate pairs, review tasks, reviewer decisions, person clusters and
 * reviewer cluster operations. The engine runs in the job worker with system privileges; the request
 * role sees only its own rows (RLS), and pairs/reviews/decisions of which one of its records is a side.
 * Cluster sizes are read through a SECURITY DEFINER function that returns counts only.
 */
export class Matching1763907000000 implements MigrationInterface {
  name = 'Matching1763907000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "match_profiles" ("record_id" uuid NOT NULL, "agency_id" uuid NOT NULL, "profile_enc" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_match_profiles" PRIMARY KEY ("record_id"))`);
    await q.query(`CREATE INDEX "ix_match_profiles_agency_record" ON "match_profiles" ("agency_id", "record_id")`);
    await q.query(`CREATE TABLE "match_keys" ("record_id" uuid NOT NULL, "key_type" character varying(20) NOT NULL, "key_hash" character(64) NOT NULL, "agency_id" uuid NOT NULL, CONSTRAINT "pk_match_keys" PRIMARY KEY ("record_id", "key_type", "key_hash"))`);
    await q.query(`CREATE INDEX "ix_match_keys_agency_record" ON "match_keys" ("agency_id", "record_id")`);
    await q.query(`CREATE INDEX "ix_match_keys_hash" ON "match_keys" ("key_hash")`);
    await q.query(`CREATE TABLE "match_pairs" ("record_a" uuid NOT NULL, "record_b" uuid NOT NULL, "agency_a" uuid NOT NULL, "agency_b" uuid NOT NULL, "score" numeric(7,2) NOT NULL, "levels" jsonb NOT NULL, "outcome" character varying(10) NOT NULL, "model_version" character varying(40) NOT NULL, "compared_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_match_pairs" PRIMARY KEY ("record_a", "record_b"))`);
    await q.query(`CREATE INDEX "ix_match_pairs_record_b" ON "match_pairs" ("record_b")`);
    await q.query(`CREATE INDEX "ix_match_pairs_outcome" ON "match_pairs" ("outcome")`);
    await q.query(`CREATE TABLE "match_reviews" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "record_a" uuid NOT NULL, "record_b" uuid NOT NULL, "agency_a" uuid NOT NULL, "agency_b" uuid NOT NULL, "agency_a_code" character varying(64) NOT NULL, "agency_b_code" character varying(64) NOT NULL, "score" numeric(7,2) NOT NULL, "levels" jsonb NOT NULL, "status" character varying(20) NOT NULL, "decision" character varying(20), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_match_reviews_pair" UNIQUE ("record_a", "record_b"), CONSTRAINT "pk_match_reviews" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_match_reviews_agency_a" ON "match_reviews" ("agency_a", "status", "created_at", "id")`);
    await q.query(`CREATE INDEX "ix_match_reviews_agency_b" ON "match_reviews" ("agency_b", "status", "created_at", "id")`);
    await q.query(`CREATE TABLE "match_decisions" ("record_a" uuid NOT NULL, "record_b" uuid NOT NULL, "agency_a" uuid NOT NULL, "agency_b" uuid NOT NULL, "decision" character varying(20) NOT NULL, "agency_id" uuid NOT NULL, "client_id" text NOT NULL, "reason" text NOT NULL, "source" character varying(20) NOT NULL, "review_id" uuid, "decided_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_match_decisions" PRIMARY KEY ("record_a", "record_b"))`);
    await q.query(`CREATE INDEX "ix_match_decisions_record_b" ON "match_decisions" ("record_b")`);
    await q.query(`CREATE TABLE "persons" ("person_id" uuid NOT NULL DEFAULT gen_random_uuid(), "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_persons" PRIMARY KEY ("person_id"))`);
    await q.query(`CREATE TABLE "person_links" ("record_id" uuid NOT NULL, "agency_id" uuid NOT NULL, "person_id" uuid NOT NULL, "linked_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_person_links" PRIMARY KEY ("record_id"))`);
    await q.query(`CREATE INDEX "ix_person_links_agency_person" ON "person_links" ("agency_id", "person_id")`);
    await q.query(`CREATE INDEX "ix_person_links_person" ON "person_links" ("person_id")`);
    await q.query(`CREATE TABLE "match_cluster_ops" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agency_id" uuid NOT NULL, "op" character varying(10) NOT NULL, "person_id" uuid NOT NULL, "other_person_id" uuid, "record_ids" uuid array NOT NULL, "client_id" text NOT NULL, "reason" text NOT NULL, "status" character varying(20) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "applied_at" TIMESTAMP WITH TIME ZONE, CONSTRAINT "pk_match_cluster_ops" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_match_cluster_ops_agency_created" ON "match_cluster_ops" ("agency_id", "created_at")`);
    await q.query(`CREATE TABLE "match_counters" ("name" character varying(40) NOT NULL, "value" bigint NOT NULL DEFAULT '0', CONSTRAINT "pk_match_counters" PRIMARY KEY ("name"))`);
    for (const [t, col] of [
      ['match_profiles', 'record_id'],
      ['match_keys', 'record_id'],
      ['match_pairs', 'record_a'],
      ['match_pairs', 'record_b'],
      ['match_reviews', 'record_a'],
      ['match_reviews', 'record_b'],
      ['match_decisions', 'record_a'],
      ['match_decisions', 'record_b'],
      ['person_links', 'record_id'],
    ]) {
      await q.query(`ALTER TABLE "${t}" ADD CONSTRAINT "fk_${t}_${col}" FOREIGN KEY ("${col}") REFERENCES "records"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    }
    await q.query(`ALTER TABLE "person_links" ADD CONSTRAINT "fk_person_links_person" FOREIGN KEY ("person_id") REFERENCES "persons"("person_id") ON DELETE RESTRICT ON UPDATE NO ACTION`);

    // Row-level security. Own rows only, except pairs, reviews and decisions: visible to both sides.
    const cur = `current_setting('app.agency_id', true)::uuid`;
    for (const t of ['match_profiles', 'match_keys', 'person_links', 'match_cluster_ops']) {
      await q.query(`ALTER TABLE "${t}" ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE "${t}" FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY "p_${t}_agency" ON "${t}" USING (agency_id = ${cur}) WITH CHECK (agency_id = ${cur})`);
    }
    for (const t of ['match_pairs', 'match_reviews', 'match_decisions', 'persons', 'match_counters']) {
      await q.query(`ALTER TABLE "${t}" ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE "${t}" FORCE ROW LEVEL SECURITY`);
    }
    for (const t of ['match_pairs', 'match_reviews']) {
      await q.query(`CREATE POLICY "p_${t}_side" ON "${t}" USING (agency_a = ${cur} OR agency_b = ${cur}) WITH CHECK (agency_a = ${cur} OR agency_b = ${cur})`);
    }
    await q.query(
      `CREATE POLICY "p_match_decisions_side" ON "match_decisions" USING (agency_a = ${cur} OR agency_b = ${cur}) WITH CHECK (agency_id = ${cur} AND (agency_a = ${cur} OR agency_b = ${cur}))`,
    );
    // persons: no policy, no grant: the request role never reads it directly.
    await q.query(`GRANT SELECT ON "match_profiles", "match_keys", "person_links", "match_pairs" TO puente_app`);
    await q.query(`GRANT SELECT, UPDATE ON "match_reviews" TO puente_app`);
    await q.query(`GRANT SELECT, INSERT, UPDATE ON "match_decisions" TO puente_app`);
    await q.query(`GRANT SELECT, INSERT ON "match_cluster_ops" TO puente_app`);

    // The request role enqueues matching jobs inside its write transaction (same grants as the webhooks migration; idempotent).
    await q.query(`GRANT USAGE ON SCHEMA pgboss TO puente_app`);
    await q.query(`GRANT SELECT ON pgboss.queue TO puente_app`);
    await q.query(`GRANT INSERT, SELECT (id) ON pgboss.job TO puente_app`);

    // Counts of a cluster (records, agencies): the only cross-agency fact a request may learn.
    await q.query(`CREATE FUNCTION matching_person_summary(p_person uuid) RETURNS TABLE(records integer, agencies integer)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT count(*)::int, count(DISTINCT agency_id)::int FROM person_links WHERE person_id = p_person
      $$`);
    await q.query(`CREATE FUNCTION matching_stats() RETURNS TABLE(pairs_compared bigint, links bigint, reviews_pending bigint, persons_multi bigint, records_profiled bigint)
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT (SELECT coalesce(max(value), 0) FROM match_counters WHERE name = 'pairs_compared'), (SELECT count(*) FROM match_pairs WHERE outcome = 'link'),
               (SELECT count(*) FROM match_reviews WHERE status = 'pending'),
               (SELECT count(*) FROM (SELECT person_id FROM person_links GROUP BY person_id HAVING count(*) > 1) x),
               (SELECT count(*) FROM match_profiles)
      $$`);
    await q.query(`REVOKE ALL ON FUNCTION matching_person_summary(uuid), matching_stats() FROM PUBLIC`);
    await q.query(`GRANT EXECUTE ON FUNCTION matching_person_summary(uuid), matching_stats() TO puente_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP FUNCTION matching_stats()`);
    await q.query(`DROP FUNCTION matching_person_summary(uuid)`);
    for (const t of ['match_counters', 'match_cluster_ops', 'person_links', 'persons', 'match_decisions', 'match_reviews', 'match_pairs', 'match_keys', 'match_profiles']) {
      await q.query(`DROP TABLE "${t}"`);
    }
  }
}
