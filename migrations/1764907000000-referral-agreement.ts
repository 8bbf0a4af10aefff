import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 (R21): a referral may cite the sending agency's agreement (convenio) under which it is made:
 * the agreement's localId (record kind `agreements`, checked at send time). No new table: agreements,
 * operations (R33), shelters and shelter stays (R25) are record kinds stored in `records`.
 */
export class ReferralAgreement1764907000000 implements MigrationInterface {
  name = 'ReferralAgreement1764907000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "referrals" ADD "agreement_local_id" character varying(128)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "referrals" DROP COLUMN "agreement_local_id"`);
  }
}
