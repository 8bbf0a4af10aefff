import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Retention of personal data (issue 10): legal holds and the purge marker on records. */
export class Retention1763909500000 implements MigrationInterface {
  name = 'Retention1763909500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "records" ADD "legal_hold" character varying(40)`);
    await q.query(`ALTER TABLE "records" ADD "pii_purged_at" TIMESTAMP WITH TIME ZONE`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "records" DROP COLUMN "pii_purged_at"`);
    await q.query(`ALTER TABLE "records" DROP COLUMN "legal_hold"`);
  }
}
