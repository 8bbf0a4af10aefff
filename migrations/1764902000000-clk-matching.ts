import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Privacy-preserving matching (issue 7): the CLK of each victim record (submitted by an agency that
 * may not share names, or computed by the server from plaintext names), encrypted, and its LSH band
 * values as keyed hashes for candidate generation. Written only by the matching worker (system
 * privileges); the request role sees its own rows only (RLS).
 */
export class ClkMatching1764902000000 implements MigrationInterface {
  name = 'ClkMatching1764902000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "match_clks" ("record_id" uuid NOT NULL, "agency_id" uuid NOT NULL, "schema_id" character varying(40) NOT NULL, "source" character varying(10) NOT NULL, "clk_enc" text NOT NULL, "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "pk_match_clks" PRIMARY KEY ("record_id"))`);
    await q.query(`CREATE INDEX "ix_match_clks_agency_record" ON "match_clks" ("agency_id", "record_id")`);
    await q.query(`CREATE TABLE "match_clk_keys" ("record_id" uuid NOT NULL, "key_hash" bigint NOT NULL, "agency_id" uuid NOT NULL, CONSTRAINT "pk_match_clk_keys" PRIMARY KEY ("record_id", "key_hash"))`);
    await q.query(`CREATE INDEX "ix_match_clk_keys_agency_record" ON "match_clk_keys" ("agency_id", "record_id")`);
    await q.query(`CREATE INDEX "ix_match_clk_keys_hash" ON "match_clk_keys" ("key_hash")`);
    for (const t of ['match_clks', 'match_clk_keys']) {
      await q.query(`ALTER TABLE "${t}" ADD CONSTRAINT "fk_${t}_record_id" FOREIGN KEY ("record_id") REFERENCES "records"("id") ON DELETE CASCADE ON UPDATE NO ACTION`);
      await q.query(`ALTER TABLE "${t}" ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE "${t}" FORCE ROW LEVEL SECURITY`);
      await q.query(`CREATE POLICY "p_${t}_agency" ON "${t}" USING (agency_id = current_setting('app.agency_id', true)::uuid) WITH CHECK (agency_id = current_setting('app.agency_id', true)::uuid)`);
      await q.query(`GRANT SELECT ON "${t}" TO puente_app`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "match_clk_keys"`);
    await q.query(`DROP TABLE "match_clks"`);
  }
}
