import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';
import { Command, CommandRunner, Option } from 'nest-commander';
import { ALL_SCOPES, type Actor, AgenciesService } from '@app/auth';
import { asAgencyId } from '@app/db';
import { ImportsService } from '@app/imports';
import { CliOutput } from '../cli-output';

interface ImportOptions {
  kind?: string;
  profile?: string;
  agency?: string;
  dryRun?: boolean;
}

/**
 * `npm run cli -- import FILE --agency CODE --kind victims [--profile NAME] [--dry-run]`: runs the same
 * import service as POST /v1/imports, in this process against the database (no worker needed). Progress
 * goes to stderr, the JSON summary to stdout. Re-running after an interruption is safe: rows are keyed by
 * localId, so rows already written come back `unchanged`.
 */
@Command({ name: 'import', arguments: '<file>', description: 'Import a CSV or XLSX file of records for an agency (progress on stderr, JSON summary on stdout)' })
export class ImportCommand extends CommandRunner {
  constructor(
    private readonly imports: ImportsService,
    private readonly agencies: AgenciesService,
    private readonly out: CliOutput,
  ) {
    super();
  }

  async run([file]: string[], opts: ImportOptions): Promise<void> {
    if (!opts.kind) this.out.fail('--kind is required (e.g. victims)');
    if (!opts.agency) this.out.fail('--agency is required (the agency code)');
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      this.out.fail(`cannot read ${file}`);
    }
    const agency = await this.agencies.findActiveByCode(opts.agency!);
    if (!agency) this.out.fail(`no active agency with code ${opts.agency}`);
    const actor: Actor = { agencyId: asAgencyId(agency!.id), agencyCode: agency!.code, agencyKind: agency!.kind, clientId: 'cli:import', scopes: ALL_SCOPES };
    const fields: Record<string, unknown> = { kind: opts.kind, dryRun: opts.dryRun ?? false };
    if (opts.profile) fields.profile = opts.profile;
    const created = await this.imports.create(actor, fields, { filename: basename(file), stream: createReadStream(file) }, { enqueue: false }).catch((err: unknown) => {
      const errors = (err as { getResponse?: () => unknown; extras?: { errors?: Array<{ pointer: string; detail: string }> } }).extras?.errors;
      this.out.fail(errors?.length ? errors.map((e) => `${e.pointer}: ${e.detail}`).join('; ') : (err as Error).message);
    });
    const started = Date.now();
    const tty = process.stderr.isTTY;
    const result = await this.imports.run(agency!.id, created!.id, (p) => {
      const width = 30;
      const filled = Math.round((p.progress / 100) * width);
      const secs = (Date.now() - started) / 1000;
      const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${p.progress.toFixed(1)}%  rows ${p.rowsRead}  ok ${p.accepted}  rejected ${p.rejected}  ${Math.round(p.rowsRead / Math.max(secs, 0.001))} rows/s`;
      process.stderr.write(tty ? `\r${line}` : `${line}\n`);
    });
    if (tty) process.stderr.write('\n');
    this.out.json({
      ...result,
      sizeBytes: size!,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      errorReport: result.rejected ? `GET ${result.errorsUrl} (JSON) or ${result.errorsUrl}?format=csv` : null,
    });
    if (result.status === 'failed') this.out.fail(`import failed: ${result.failure}`);
  }

  @Option({ flags: '--kind <kind>', description: 'Record kind (victims, cases, reports, …)' })
  parseKind(v: string): string {
    return v;
  }

  @Option({ flags: '--profile <name>', description: 'Saved mapping profile name, or inline profile JSON' })
  parseProfile(v: string): string {
    return v;
  }

  @Option({ flags: '--agency <code>', description: 'Code of the agency the records belong to' })
  parseAgency(v: string): string {
    return v;
  }

  @Option({ flags: '--dry-run', description: 'Validate every row and report errors without writing' })
  parseDryRun(): boolean {
    return true;
  }
}
