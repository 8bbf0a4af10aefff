import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Matching at scale (issue 7): term counts for the term-frequency adjustment of name weights. One row
 * per term (first name, surname, surname pair) as a keyed hash (FieldCipher.blindIndex, purpose
 * `match:tf`) with the number of profiles holding it; no plaintext. Written only by the matching worker
 * and the bulk rebuild (system privileges); no grant and no policy for the request role.
 */
export class MatchingTermCounts1764901000000 implements MigrationInterface {
  name = 'MatchingTermCounts1764901000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE "match_term_counts" ("term_hash" character(64) NOT NULL, "n" integer NOT NULL DEFAULT 0, CONSTRAINT "pk_match_term_counts" PRIMARY KEY ("term_hash"))`);
    await q.query(`ALTER TABLE "match_term_counts" ENABLE ROW LEVEL SECURITY`);
    await q.query(`ALTER TABLE "match_term_counts" FORCE ROW LEVEL SECURITY`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE "match_term_counts"`);
  }
}
