import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk imports (libs/imports): saved mapping profiles, import jobs with their checkpoint, rejected rows,
 * and the uploaded files in 1 MiB pieces. All agency-owned, row-level security by agency_id.
 */
export class Imports1763908600000 implements MigrationInterface {
  name = 'Imports1763908600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "import_profiles" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agency_id" uuid NOT NULL, "name" character varying(64) NOT NULL, "kind" character varying(40) NOT NULL, "mapping" jsonb NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "uq_import_profiles_agency_name" UNIQUE ("agency_id", "name"), CONSTRAINT "pk_import_profiles" PRIMARY KEY ("id"))`);
    await q.query(`CREATE TABLE "import_jobs" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agency_id" uuid NOT NULL, "kind" character varying(40) NOT NULL, "client_id" text NOT NULL, "actor" jsonb NOT NULL, "profile_name" character varying(64), "mapping" jsonb NOT NULL, "file_name" character varying(255) NOT NULL, "format" character varying(10) NOT NULL, "size_bytes" bigint NOT NULL, "dry_run" boolean NOT NULL, "status" character varying(20) NOT NULL, "rows_read" integer NOT NULL DEFAULT '0', "accepted" integer NOT NULL DEFAULT '0', "rejected" integer NOT NULL DEFAULT '0', "skipped" integer NOT NULL DEFAULT '0', "created_count" integer NOT NULL DEFAULT '0', "updated_count" integer NOT NULL DEFAULT '0', "unchanged_count" integer NOT NULL DEFAULT '0', "checkpoint_row" integer NOT NULL DEFAULT '0', "bytes_read" bigint NOT NULL DEFAULT '0', "attempts" integer NOT NULL DEFAULT '0', "ignored_columns" jsonb NOT NULL DEFAULT '[]', "failure" text, "started_at" TIMESTAMP WITH TIME ZONE, "finished_at" TIMESTAMP WITH TIME ZONE, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_import_jobs" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_import_jobs_agency_created" ON "import_jobs" ("agency_id", "created_at")`);
    await q.query(`CREATE TABLE "import_errors" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "agency_id" uuid NOT NULL, "import_id" uuid NOT NULL, "row_number" integer NOT NULL, "local_id" character varying(128), "column" text, "value" text, "reason" text NOT NULL, "rule" character varying(64), "pointer" text, CONSTRAINT "pk_import_errors" PRIMARY KEY ("id"))`);
    await q.query(`CREATE INDEX "ix_import_errors_agency_import_row" ON "import_errors" ("agency_id", "import_id", "row_number")`);
    await q.query(`CREATE TABLE "import_file_chunks" ("agency_id" uuid NOT NULL, "import_id" uuid NOT NULL, "seq" integer NOT NULL, "data" bytea NOT NULL, CONSTRAINT "pk_import_file_chunks" PRIMARY KEY ("agency_id", "import_id", "seq"))`);

    const cur = `current_setting('app.agency_id', true)::uuid`;
    for (const t of ['import_profiles', 'import_jobs', 'import_errors', 'import_file_chunks']) {
      await q.query(`ALTER TABLE "${t}" ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE "${t}" FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY "p_${t}_agency" ON "${t}" USING (agency_id = ${cur}) WITH CHECK (agency_id = ${cur})`);
    }
    await q.query(`GRANT SELECT, INSERT, UPDATE ON "import_profiles", "import_jobs" TO puente_app`);
    await q.query(`GRANT SELECT, INSERT, DELETE ON "import_errors", "import_file_chunks" TO puente_app`);
    // The request role enqueues the import job inside its upload transaction (idempotent grants, as in the webhooks migration).
    await q.query(`GRANT USAGE ON SCHEMA pgboss TO puente_app`);
    await q.query(`GRANT SELECT ON pgboss.queue TO puente_app`);
    await q.query(`GRANT INSERT, SELECT (id) ON pgboss.job TO puente_app`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const t of ['import_file_chunks', 'import_errors', 'import_jobs', 'import_profiles']) await q.query(`DROP TABLE "${t}"`);
  }
}
