import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Pre-aggregated statistics (issue 9, libs/statistics/src/summaries.ts). Per-unit rows (stat_victim_units,
 * stat_case_units: the dimensions of each current, non-withdrawn victim / case record, computed with the
 * same rules as the un-aggregated path) and their counts per combination (stat_victim_cube, stat_case_cube).
 * Triggers on the projections, records, person links and agencies queue the changed records in stat_dirty;
 * the statistics service folds the queue into the summaries (delta: minus the old unit row, plus the new
 * one) before it reads them. Not readable by the request role (statistics run with system privileges).
 */
export class StatisticsSummaries1764904000000 implements MigrationInterface {
  name = 'StatisticsSummaries1764904000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_record_versions_kind_changed" ON "record_versions" ("kind", "changed_at")`);
    await q.query(`CREATE TABLE "stat_dirty" ("kind" character varying(20) NOT NULL, "record_id" uuid NOT NULL, CONSTRAINT "pk_stat_dirty" PRIMARY KEY ("kind", "record_id"))`);
    await q.query(
      `CREATE TABLE "stat_victim_units" ("record_id" uuid NOT NULL, "agency_id" uuid NOT NULL, "person_id" uuid NOT NULL, "linked" boolean NOT NULL, "month" character varying(7) NOT NULL, "sex" character varying(40) NOT NULL, "age" smallint, "age_lo" smallint NOT NULL, "offenses" text array NOT NULL, CONSTRAINT "pk_stat_victim_units" PRIMARY KEY ("record_id"))`,
    );
    await q.query(`CREATE INDEX "ix_stat_victim_units_agency_month" ON "stat_victim_units" ("agency_id", "month")`);
    await q.query(`CREATE INDEX "ix_stat_victim_units_linked_person" ON "stat_victim_units" ("linked", "person_id")`);
    await q.query(
      `CREATE TABLE "stat_victim_cube" ("month" character varying(7) NOT NULL, "sex" character varying(40) NOT NULL, "age_lo" smallint NOT NULL, "offenses" text array NOT NULL, "linked" boolean NOT NULL, "n" integer NOT NULL, CONSTRAINT "pk_stat_victim_cube" PRIMARY KEY ("month", "sex", "age_lo", "offenses", "linked"))`,
    );
    await q.query(
      `CREATE TABLE "stat_case_units" ("record_id" uuid NOT NULL, "agency_id" uuid NOT NULL, "month" character varying(7) NOT NULL, "state" character varying(40) NOT NULL, "jurisdiction" character varying(40) NOT NULL, "offenses" text array NOT NULL, CONSTRAINT "pk_stat_case_units" PRIMARY KEY ("record_id"))`,
    );
    await q.query(`CREATE INDEX "ix_stat_case_units_agency_month" ON "stat_case_units" ("agency_id", "month")`);
    await q.query(
      `CREATE TABLE "stat_case_cube" ("month" character varying(7) NOT NULL, "state" character varying(40) NOT NULL, "jurisdiction" character varying(40) NOT NULL, "offenses" text array NOT NULL, "n" integer NOT NULL, CONSTRAINT "pk_stat_case_cube" PRIMARY KEY ("month", "state", "jurisdiction", "offenses"))`,
    );

    // Change capture: cheap inserts into the queue (SECURITY DEFINER: the request role has no grant on it).
    // Statement-level with transition tables: one queue insert per write statement, not one per row (a
    // batch of 1,000 victims writes its projection rows in one statement).
    await q.query(`CREATE FUNCTION stat_mark_fact() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO stat_dirty SELECT DISTINCT TG_ARGV[0], record_id FROM stat_new_rows ON CONFLICT DO NOTHING;
        ELSIF TG_OP = 'DELETE' THEN
          INSERT INTO stat_dirty SELECT DISTINCT TG_ARGV[0], record_id FROM stat_old_rows ON CONFLICT DO NOTHING;
        ELSE
          INSERT INTO stat_dirty SELECT TG_ARGV[0], record_id FROM stat_old_rows UNION SELECT TG_ARGV[0], record_id FROM stat_new_rows ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE FUNCTION stat_mark_record() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
      BEGIN
        IF NEW.kind IN ('victims', 'cases') THEN INSERT INTO stat_dirty VALUES (NEW.kind, NEW.id) ON CONFLICT DO NOTHING; END IF;
        RETURN NULL;
      END $$`);
    // A link change moves records between persons: every record of the old and the new person is re-counted.
    await q.query(`CREATE FUNCTION stat_mark_person_link() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public AS $$
      BEGIN
        IF TG_OP <> 'INSERT' THEN
          INSERT INTO stat_dirty VALUES ('victims', OLD.record_id) ON CONFLICT DO NOTHING;
          INSERT INTO stat_dirty SELECT 'victims', record_id FROM person_links WHERE person_id = OLD.person_id ON CONFLICT DO NOTHING;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          INSERT INTO stat_dirty VALUES ('victims', NEW.record_id) ON CONFLICT DO NOTHING;
          INSERT INTO stat_dirty SELECT 'victims', record_id FROM person_links WHERE person_id = NEW.person_id ON CONFLICT DO NOTHING;
        END IF;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER "tr_victim_facts_stat_ins" AFTER INSERT ON "victim_facts" REFERENCING NEW TABLE AS stat_new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_mark_fact('victims')`);
    await q.query(`CREATE TRIGGER "tr_victim_facts_stat_upd" AFTER UPDATE ON "victim_facts" REFERENCING OLD TABLE AS stat_old_rows NEW TABLE AS stat_new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_mark_fact('victims')`);
    await q.query(`CREATE TRIGGER "tr_victim_facts_stat_del" AFTER DELETE ON "victim_facts" REFERENCING OLD TABLE AS stat_old_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_mark_fact('victims')`);
    await q.query(`CREATE TRIGGER "tr_case_charges_stat_ins" AFTER INSERT ON "case_charges" REFERENCING NEW TABLE AS stat_new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_mark_fact('cases')`);
    await q.query(`CREATE TRIGGER "tr_case_charges_stat_upd" AFTER UPDATE ON "case_charges" REFERENCING OLD TABLE AS stat_old_rows NEW TABLE AS stat_new_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_mark_fact('cases')`);
    await q.query(`CREATE TRIGGER "tr_case_charges_stat_del" AFTER DELETE ON "case_charges" REFERENCING OLD TABLE AS stat_old_rows FOR EACH STATEMENT EXECUTE FUNCTION stat_mark_fact('cases')`);
    await q.query(`CREATE TRIGGER "tr_records_stat" AFTER UPDATE ON "records" FOR EACH ROW WHEN (OLD.withdrawn_at IS DISTINCT FROM NEW.withdrawn_at OR OLD.data IS DISTINCT FROM NEW.data) EXECUTE FUNCTION stat_mark_record()`);
    await q.query(`CREATE TRIGGER "tr_person_links_stat" AFTER INSERT OR UPDATE OR DELETE ON "person_links" FOR EACH ROW EXECUTE FUNCTION stat_mark_person_link()`);
    // Everything already stored is queued once; the first statistics query (or statistics rebuild) folds it in.
    await q.query(`INSERT INTO stat_dirty SELECT 'victims', record_id FROM victim_facts ON CONFLICT DO NOTHING`);
    await q.query(`INSERT INTO stat_dirty SELECT DISTINCT 'cases', record_id FROM case_charges ON CONFLICT DO NOTHING`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER "tr_person_links_stat" ON "person_links"`);
    await q.query(`DROP TRIGGER "tr_records_stat" ON "records"`);
    await q.query(`DROP TRIGGER "tr_case_charges_stat_ins" ON "case_charges"`);
    await q.query(`DROP TRIGGER "tr_case_charges_stat_upd" ON "case_charges"`);
    await q.query(`DROP TRIGGER "tr_case_charges_stat_del" ON "case_charges"`);
    await q.query(`DROP TRIGGER "tr_victim_facts_stat_ins" ON "victim_facts"`);
    await q.query(`DROP TRIGGER "tr_victim_facts_stat_upd" ON "victim_facts"`);
    await q.query(`DROP TRIGGER "tr_victim_facts_stat_del" ON "victim_facts"`);
    await q.query(`DROP FUNCTION stat_mark_person_link()`);
    await q.query(`DROP FUNCTION stat_mark_record()`);
    await q.query(`DROP FUNCTION stat_mark_fact()`);
    await q.query(`DROP TABLE "stat_case_cube"`);
    await q.query(`DROP TABLE "stat_case_units"`);
    await q.query(`DROP TABLE "stat_victim_cube"`);
    await q.query(`DROP TABLE "stat_victim_units"`);
    await q.query(`DROP TABLE "stat_dirty"`);
    await q.query(`DROP INDEX "ix_record_versions_kind_changed"`);
  }
}
