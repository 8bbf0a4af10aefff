import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 8: the `referral.overdue` webhook is sent once per referral and status; `overdue_notified_for`
 * remembers the status in which it was sent (the scheduled `referrals.overdue` job sets it).
 */
export class ReferralOverdue1764908000000 implements MigrationInterface {
  name = 'ReferralOverdue1764908000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "referrals" ADD "overdue_notified_for" character varying(20)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "referrals" DROP COLUMN "overdue_notified_for"`);
  }
}
