import { Command, CommandRunner, Option } from 'nest-commander';
import { AuditService } from '@app/audit';
import { KeyRotationService } from '@app/crypto';
import { CliOutput } from '../cli-output';

/**
 * Field-key rotation: put the new key FIRST in FIELD_ENCRYPTION_KEYS (keep the old ones), restart the
 * instances, run `keys:rotate`; when `keys:status` shows nothing remaining, drop the old key.
 */
@Command({ name: 'keys:rotate', description: 'Re-encrypt personal data with the active field key (first of FIELD_ENCRYPTION_KEYS), in batches, while the service runs' })
export class KeysRotateCommand extends CommandRunner {
  constructor(
    private readonly rotation: KeyRotationService,
    private readonly audit: AuditService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(_args: string[], opts: { batch?: number }): Promise<void> {
    const reencrypted = await this.rotation.rotate(opts.batch ?? 500, (column, done) => process.stderr.write(`${column}: ${done} re-encrypted\n`));
    const status = await this.rotation.status();
    await this.audit.appendNow({ actor: 'cli:keys:rotate', action: 'admin.keys.rotate', resourceType: 'field-key', resourceIds: [status.activeKid], details: { reencrypted } });
    this.out.json({ ...status, reencrypted });
  }
  @Option({ flags: '--batch <rows>' }) batch(v: string) {
    return Number(v);
  }
}

@Command({ name: 'keys:status', description: 'Rows still encrypted with a key other than the active one' })
export class KeysStatusCommand extends CommandRunner {
  constructor(
    private readonly rotation: KeyRotationService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(): Promise<void> {
    this.out.json(await this.rotation.status());
  }
}
