import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The append-only, hash-chained audit log (issue 10).
 * - A BEFORE INSERT trigger takes a transaction-level advisory lock, numbers the entry (`seq`), links it
 *   to the previous entry (`prev_hash`) and computes `hash` = sha256(prev_hash ‖ canonical entry).
 * - UPDATE, DELETE and TRUNCATE are refused by triggers for every role, and the request role
 *   `puente_app` holds only INSERT and SELECT.
 * - `audit_entry_hash()` is the one definition of the canonical form, used by the trigger and by
 *   `npm run cli -- audit:verify`.
 */
export class AuditLog1763900300000 implements MigrationInterface {
  name = 'AuditLog1763900300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "audit_log" (
      "seq" bigint NOT NULL,
      "at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
      "agency_id" uuid,
      "actor" text,
      "action" character varying(80) NOT NULL,
      "resource_type" character varying(40),
      "resource_agency_id" uuid,
      "resource_ids" text array NOT NULL DEFAULT '{}',
      "fields" text array NOT NULL DEFAULT '{}',
      "purpose" character varying(40),
      "request_id" character varying(100),
      "outcome" character varying(20) NOT NULL DEFAULT 'ok',
      "details" jsonb NOT NULL DEFAULT '{}',
      "prev_hash" character(64) NOT NULL,
      "hash" character(64) NOT NULL,
      CONSTRAINT "pk_audit_log" PRIMARY KEY ("seq"))`);
    await q.query(`CREATE INDEX "ix_audit_log_agency_at" ON "audit_log" ("agency_id", "at")`);
    await q.query(`CREATE INDEX "ix_audit_log_resource_agency_at" ON "audit_log" ("resource_agency_id", "at")`);
    await q.query(`CREATE FUNCTION audit_entry_hash(prev text, a audit_log) RETURNS character(64) LANGUAGE sql IMMUTABLE AS $$
      SELECT encode(sha256(convert_to(prev || jsonb_build_array(
        a.seq, to_char(a.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), a.agency_id, a.actor, a.action,
        a.resource_type, a.resource_agency_id, a.resource_ids, a.fields, a.purpose, a.request_id, a.outcome, a.details
      )::text, 'UTF8')), 'hex')::character(64)
    $$`);
    await q.query(`CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
      DECLARE last_seq bigint; last_hash text;
      BEGIN
        PERFORM pg_advisory_xact_lock(7365001);
        SELECT seq, hash INTO last_seq, last_hash FROM audit_log ORDER BY seq DESC LIMIT 1;
        NEW.seq := coalesce(last_seq, 0) + 1;
        NEW.at := clock_timestamp();
        NEW.prev_hash := coalesce(last_hash, repeat('0', 64));
        NEW.hash := audit_entry_hash(NEW.prev_hash, NEW);
        RETURN NEW;
      END $$`);
    await q.query(`CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain()`);
    await q.query(`CREATE FUNCTION audit_log_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege'; END $$`);
    await q.query(`CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_immutable()`);
    await q.query(`CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log FOR EACH STATEMENT EXECUTE FUNCTION audit_log_immutable()`);
    await q.query(`GRANT SELECT, INSERT ON audit_log TO puente_app`);
    await q.query(`ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY`);
    await q.query(`CREATE POLICY audit_log_insert ON audit_log FOR INSERT TO puente_app
      WITH CHECK (agency_id = nullif(current_setting('app.agency_id', true), '')::uuid)`);
    await q.query(`CREATE POLICY audit_log_select ON audit_log FOR SELECT TO puente_app
      USING (agency_id = nullif(current_setting('app.agency_id', true), '')::uuid OR resource_agency_id = nullif(current_setting('app.agency_id', true), '')::uuid)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "audit_log"`);
    await q.query(`DROP FUNCTION audit_log_chain(); DROP FUNCTION audit_log_immutable(); DROP FUNCTION audit_entry_hash(text, audit_log)`);
  }
}
