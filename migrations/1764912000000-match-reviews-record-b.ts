import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Review tasks are looked up by either record of the pair every time a victim record is (re)matched
 * (pending tasks whose pair left the review band are superseded). `record_a` is the first column of the
 * pair's unique constraint; `record_b` had no index, so each incremental match scanned the whole table
 * (~200,000 tasks at 1,000,000 records: several milliseconds per record).
 */
export class MatchReviewsRecordB1764912000000 implements MigrationInterface {
  name = 'MatchReviewsRecordB1764912000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX "ix_match_reviews_record_b" ON "match_reviews" ("record_b")`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX "ix_match_reviews_record_b"`);
  }
}
