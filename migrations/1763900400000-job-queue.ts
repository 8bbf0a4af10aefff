import PgBoss from 'pg-boss';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The pg-boss 10 schema (`pgboss`) for the job queue, created here so every database starts with it. */
export class JobQueue1763900400000 implements MigrationInterface {
  name = 'JobQueue1763900400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(PgBoss.getConstructionPlans('pgboss'));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP SCHEMA pgboss CASCADE');
  }
}
