import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `match_keys` holds about twelve keyed hashes per victim record (11.5 million rows at 1,000,000 records).
 * Its foreign key to `records` was checked row by row on every insert: measured on 2,955,533 key rows,
 * 26.4 s with the check against 4.4 s without — at a million records the check alone cost the rebuild
 * about 100 s of database time. Keys never exist without their record's match profile: the engine and the
 * rebuild write both in one transaction, and `match_profiles` keeps its foreign key (ON DELETE CASCADE),
 * so a key of a missing record cannot be committed (and records are never deleted: `record_versions`
 * restricts it). The cascade is kept through the profile: deleting a profile (directly, or because its
 * record is deleted) deletes its keys, in one statement-level trigger per deleting statement.
 */
export class MatchKeysWithoutFk1764912100000 implements MigrationInterface {
  name = 'MatchKeysWithoutFk1764912100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE "match_keys" DROP CONSTRAINT "fk_match_keys_record_id"`);
    await q.query(`CREATE FUNCTION match_keys_follow_profiles() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        DELETE FROM match_keys k USING gone g WHERE k.record_id = g.record_id;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER trg_match_profiles_delete_keys AFTER DELETE ON match_profiles
      REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION match_keys_follow_profiles()`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER trg_match_profiles_delete_keys ON match_profiles`);
    await q.query(`DROP FUNCTION match_keys_follow_profiles()`);
    await q.query(`DELETE FROM match_keys k WHERE NOT EXISTS (SELECT 1 FROM records r WHERE r.id = k.record_id)`);
    await q.query(
      `ALTER TABLE "match_keys" ADD CONSTRAINT "fk_match_keys_record_id" FOREIGN KEY ("record_id") REFERENCES "records"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }
}
