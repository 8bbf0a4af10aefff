import { readFileSync, writeFileSync } from 'node:fs';
import { Command, CommandRunner, Option } from 'nest-commander';
import { CURRENT_CLK_SCHEMA, clkKeyCheck, encodeCsv, formatEncoded } from '@app/clk';
import { CliOutput } from '../cli-output';

interface Opts {
  schema?: string;
  secret?: string;
  secretFile?: string;
  format?: 'csv' | 'jsonl';
  out?: string;
}

/**
 * Agency-side encoder of the privacy-preserving matching path: CSV of identifying fields → CLKs
 * (docs/matching.md § CLK). The names never leave the machine; only the output file is submitted.
 * A standalone equivalent without database: `node dist/libs/clk/src/main.js`.
 */
@Command({
  name: 'clk:encode',
  arguments: '<file>',
  description:
    'Encode a CSV (localId, firstName, middleName, paternalSurname, maternalSurname) into CLKs with the published schema and the shared secret; writes <file>.clk.csv (or --out) and prints a summary',
})
export class ClkEncodeCommand extends CommandRunner {
  constructor(private readonly out: CliOutput) {
    super();
  }
  async run([file]: string[], opts: Opts): Promise<void> {
    const schema = opts.schema ?? CURRENT_CLK_SCHEMA;
    const secret = opts.secretFile ? readFileSync(opts.secretFile, 'utf8').trim() : (opts.secret ?? process.env.CLK_SECRET);
    if (!secret) this.out.fail('the shared secret is required: --secret-file PATH, --secret VALUE or env CLK_SECRET');
    const format = opts.format ?? 'csv';
    let rows;
    try {
      rows = encodeCsv(readFileSync(file, 'utf8'), secret, schema);
    } catch (err) {
      this.out.fail((err as Error).message);
    }
    const target = opts.out ?? `${file.replace(/\.csv$/i, '')}.clk.${format === 'jsonl' ? 'jsonl' : 'csv'}`;
    writeFileSync(target, formatEncoded(rows, format), { mode: 0o600 });
    this.out.json({ schema, keyCheck: clkKeyCheck(secret, schema), records: rows.length, encoded: rows.filter((r) => r.clk).length, withoutName: rows.filter((r) => !r.clk).length, out: target });
  }
  @Option({ flags: '--schema <id>', description: `linkage schema (default ${CURRENT_CLK_SCHEMA})` }) schema(v: string) {
    return v;
  }
  @Option({ flags: '--secret <value>', description: 'shared secret (prefer --secret-file or env CLK_SECRET: values on the command line stay in the shell history)' }) secret(v: string) {
    return v;
  }
  @Option({ flags: '--secret-file <path>', description: 'file holding the shared secret' }) secretFile(v: string) {
    return v;
  }
  @Option({ flags: '--format <csv|jsonl>', description: 'csv (localId,schema,keyCheck,clk) or jsonl ({"localId","clk":{schema,encoding,keyCheck}})' }) format(v: string) {
    if (v !== 'csv' && v !== 'jsonl') throw new Error('--format must be csv or jsonl');
    return v;
  }
  @Option({ flags: '--out <path>', description: 'output file (default <file>.clk.csv / .clk.jsonl)' }) out_(v: string) {
    return v;
  }
}
