import { readFileSync } from 'node:fs';
import { CURRENT_CLK_SCHEMA } from './clk';
import { encodeCsv, formatEncoded } from './encode-csv';

/**
 * Agency-side CLK encoder, standalone (no database, no server):
 *
 *   node dist/libs/clk/src/main.js [--schema puente-clk-v1] (--secret-file PATH | --secret VALUE | env CLK_SECRET) [--format csv|jsonl] FILE.csv
 *
 * Reads a CSV of identifying fields (localId, firstName, middleName, paternalSurname, maternalSurname),
 * prints the CLKs (names never leave the machine). `npm run cli -- clk:encode` runs the same code.
 */
export function runEncode(argv: string[], env: NodeJS.ProcessEnv = process.env): string {
  const opt = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const valued = new Set(['--schema', '--secret', '--secret-file', '--format']);
  const file = argv.find((a, i) => !a.startsWith('--') && !valued.has(argv[i - 1] ?? ''));
  if (!file) throw new Error('usage: clk:encode [--schema puente-clk-v1] (--secret-file PATH | --secret VALUE | env CLK_SECRET) [--format csv|jsonl] FILE.csv');
  const secretFile = opt('secret-file');
  const secret = secretFile ? readFileSync(secretFile, 'utf8').trim() : (opt('secret') ?? env.CLK_SECRET);
  if (!secret) throw new Error('the shared secret is required: --secret-file PATH, --secret VALUE or env CLK_SECRET');
  const format = (opt('format') ?? 'csv') as 'csv' | 'jsonl';
  if (format !== 'csv' && format !== 'jsonl') throw new Error('--format must be csv or jsonl');
  return formatEncoded(encodeCsv(readFileSync(file, 'utf8'), secret, opt('schema') ?? CURRENT_CLK_SCHEMA), format);
}

if (require.main === module) {
  try {
    process.stdout.write(runEncode(process.argv.slice(2)));
  } catch (err) {
    process.stderr.write(`error: ${(err as Error).message}\n`);
    process.exit(1);
  }
}
