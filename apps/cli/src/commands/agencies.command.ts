import { Command, CommandRunner, Option } from 'nest-commander';
import { AuditService } from '@app/audit';
import { AgenciesService, AGENCY_KINDS, type AgencyKind } from '@app/auth';
import { CliOutput } from '../cli-output';

interface CreateOpts {
  code: string;
  name: string;
  kind: AgencyKind;
  jurisdiction?: string;
  level?: string;
}

@Command({ name: 'agencies:create', description: 'Register an agency: --code fge-cdmx --name "…" --kind prosecutor [--jurisdiction 09] [--level state]' })
export class AgenciesCreateCommand extends CommandRunner {
  constructor(
    private readonly agencies: AgenciesService,
    private readonly audit: AuditService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(_args: string[], opts: CreateOpts): Promise<void> {
    if (!opts.code || !opts.name || !opts.kind) this.out.fail('--code, --name and --kind are required');
    if (!AGENCY_KINDS.includes(opts.kind)) this.out.fail(`--kind must be one of ${AGENCY_KINDS.join(', ')}`);
    const created = await this.agencies.create(opts, 'cli:agencies:create');
    await this.audit.appendNow({ actor: 'cli:agencies:create', action: 'admin.agencies.create', resourceType: 'agency', resourceIds: [created.code] });
    this.out.json(created);
  }
  @Option({ flags: '--code <code>' }) code(v: string) {
    return v;
  }
  @Option({ flags: '--name <name>' }) name(v: string) {
    return v;
  }
  @Option({ flags: '--kind <kind>' }) kind(v: string) {
    return v;
  }
  @Option({ flags: '--jurisdiction <code>', description: 'INEGI state code 01-32 or FED' }) jurisdiction(v: string) {
    return v;
  }
  @Option({ flags: '--level <level>' }) level(v: string) {
    return v;
  }
}

@Command({ name: 'agencies:list', description: 'List registered agencies' })
export class AgenciesListCommand extends CommandRunner {
  constructor(
    private readonly agencies: AgenciesService,
    private readonly out: CliOutput,
  ) {
    super();
  }
  async run(): Promise<void> {
    const items = [];
    let cursor: string | undefined;
    do {
      const page = await this.agencies.list({ limit: 500, cursor });
      items.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    this.out.json({ items });
  }
}
