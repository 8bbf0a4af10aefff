import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics projection of the `assistance` record kind (R22, services ledger; the records themselves live
 * in `records`): assistance_facts, one row per service given to a victim. Agency-owned: row-level security
 * on agency_id; the request role rewrites it in the record's transaction.
 */
export class Assistance1764903000000 implements MigrationInterface {
  name = 'Assistance1764903000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "assistance_facts" ("record_id" uuid NOT NULL, "agency_id" uuid NOT NULL, "local_id" character varying(128) NOT NULL, "victim_local_id" character varying(128) NOT NULL, "service_type" character varying(40) NOT NULL, "ceav_model_stage" character varying(40) NOT NULL, "emergency" boolean NOT NULL, "provider_kind" character varying(40) NOT NULL, "start_date" date NOT NULL, "end_date" date, "duration_days" integer, "status" character varying(40) NOT NULL, "referral_id" uuid, "follow_up_of" character varying(128), CONSTRAINT "pk_assistance_facts" PRIMARY KEY ("record_id"))`);
    await q.query(`CREATE INDEX "ix_assistance_facts_agency_victim" ON "assistance_facts" ("agency_id", "victim_local_id")`);
    await q.query(`CREATE INDEX "ix_assistance_facts_agency_service" ON "assistance_facts" ("agency_id", "service_type")`);
    await q.query(`CREATE INDEX "ix_assistance_facts_agency_start" ON "assistance_facts" ("agency_id", "start_date")`);
    await q.query(`ALTER TABLE "assistance_facts" ADD CONSTRAINT "fk_assistance_facts_record" FOREIGN KEY ("record_id") REFERENCES "records"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
    await q.query(`ALTER TABLE "assistance_facts" ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE "assistance_facts" FORCE ROW LEVEL SECURITY`);
    await q.query(
      `CREATE POLICY "p_assistance_facts_agency" ON "assistance_facts" USING (agency_id = current_setting('app.agency_id', true)::uuid) WITH CHECK (agency_id = current_setting('app.agency_id', true)::uuid)`,
    );
    await q.query(`GRANT SELECT, INSERT, DELETE ON "assistance_facts" TO puente_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "assistance_facts"`);
  }
}
