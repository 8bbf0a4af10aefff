import { Command, CommandRunner } from 'nest-commander';
import { AuditService } from '@app/audit';
import { CliOutput } from '../cli-output';

@Command({ name: 'audit:verify', description: 'Recompute the audit hash chain; exit 1 at the first altered or missing entry' })
export class AuditVerifyCommand extends CommandRunner {
  constructor(
    private readonly audit: AuditService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(): Promise<void> {
    const result = await this.audit.verify();
    this.out.json(result);
    if (!result.ok) this.out.fail(`audit chain broken at seq ${result.firstBrokenSeq}: ${result.reason}`);
  }
}
