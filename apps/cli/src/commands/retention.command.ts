import { Command, CommandRunner, Option } from 'nest-commander';
import { RetentionService } from '@app/records';
import { CliOutput } from '../cli-output';

@Command({ name: 'retention:purge', description: 'Purge personal data past its retention period (RETENTION_DAYS, RETENTION_WITHDRAWN_DAYS), except legal holds; --dry-run counts only' })
export class RetentionPurgeCommand extends CommandRunner {
  constructor(
    private readonly retention: RetentionService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(_args: string[], opts: { dryRun?: boolean }): Promise<void> {
    this.out.json(await this.retention.purge(500, !!opts.dryRun));
  }
  @Option({ flags: '--dry-run' }) dryRun() {
    return true;
  }
}
