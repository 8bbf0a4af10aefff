import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

// Keeps docs/requirements.md honest: every requirement R1..R38 has exactly one row with a valid status,
// every row names a test or gives a reason, and every cited test title exists in the cited file.

const ROOT = join(__dirname, '..', '..', '..');
const DOC = join(ROOT, 'docs', 'requirements.md');
const STATUSES = ['done', 'partial', 'not done'] as const;

/** Test sources: apps/api/test/*.e2e-spec.ts and libs/** /*.spec.ts (also *.int-spec.ts), by file name. */
function testFiles(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name === 'node_modules' || name.startsWith('.')) continue;
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/\.(e2e-|int-)?spec\.ts$/.test(name)) found.set(name, [...(found.get(name) ?? []), p]);
    }
  };
  walk(join(ROOT, 'apps'));
  walk(join(ROOT, 'libs'));
  return found;
}

/** Titles of the tests of a file (plain, `.only` and `.each` calls of it / test); skipped tests are left out. */
function testTitles(source: string): Set<string> {
  const titles = new Set<string>();
  const literal = String.raw`(['"\`])((?:\\.|(?!\1)[^\\])*)\1`;
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
  for (const m of source.matchAll(new RegExp(String.raw`(?<![\w.])(?:it|test)(?:\.only)?\(\s*${literal}`, 'g'))) titles.add(unescape(m[2]));
  // For the .each form the title is the first argument of the function that .each returns.
  for (const m of source.matchAll(/(?<![\w.])(?:it|test)\.each\(/g)) {
    let depth = 1;
    let i = m.index! + m[0].length;
    for (; i < source.length && depth > 0; i++) {
      if (source[i] === '(' || source[i] === '[' || source[i] === '{') depth++;
      else if (source[i] === ')' || source[i] === ']' || source[i] === '}') depth--;
    }
    const rest = source.slice(i).match(new RegExp(String.raw`^\s*\(\s*${literal}`));
    if (rest) titles.add(unescape(rest[2]));
  }
  return titles;
}

/** Cells of a markdown table row; `\|` is a literal pipe. */
const cells = (line: string) =>
  line
    .trim()
    .replace(/^\||\|$/g, '')
    .split(/(?<!\\)\|/)
    .map((c) => c.trim().replace(/\\\|/g, '|'));

interface Row {
  id: string;
  status: string;
  tests: Array<{ file: string; title: string }>;
  gaps: string;
}

function parseDoc(): { rows: Row[]; summary: Record<string, number> } {
  const lines = readFileSync(DOC, 'utf8').split('\n');
  const header = lines.findIndex((l) => /^\|\s*R\s*\|\s*Requirement\s*\|/.test(l));
  if (header < 0) throw new Error('docs/requirements.md: the requirements table header was not found');
  const cols = cells(lines[header]);
  const at = (name: string) => cols.indexOf(name);
  const rows: Row[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const c = cells(line);
    const tests = [...c[at('Tests')].matchAll(/`([^`]+)`\s*«([^»]+)»/g)].map((m) => ({ file: m[1], title: m[2] }));
    rows.push({ id: c[at('R')], status: c[at('Status')], tests, gaps: c[at('Gaps / reason')] });
  }
  const summary: Record<string, number> = {};
  for (const l of lines) {
    const m = l.match(/^\|\s*(done|partial|not done)\s*\|\s*(\d+)\s*\|$/);
    if (m) summary[m[1]] = Number(m[2]);
  }
  return { rows, summary };
}

describe('requirements traceability (docs/requirements.md)', () => {
  const { rows, summary } = parseDoc();
  const files = testFiles();

  it('has exactly one row per requirement R1..R38, in order, each with a known status', () => {
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: 38 }, (_, i) => `R${i + 1}`));
    for (const r of rows) expect(STATUSES).toContain(r.status);
  });

  it('every row names at least one test, or is "not done" with a reason; partial rows name what is missing', () => {
    const problems: string[] = [];
    for (const r of rows) {
      if (r.status === 'not done' && r.gaps.length <= 20) problems.push(`${r.id}: not done without a reason`);
      if (r.status !== 'not done' && r.tests.length === 0) problems.push(`${r.id}: ${r.status} without a cited test`);
      if (r.status === 'partial' && r.gaps.length <= 20) problems.push(`${r.id}: partial without naming what is missing`);
    }
    expect(problems).toEqual([]);
  });

  it('every cited test exists: the file is a test file of the repository and contains a test with that exact title', () => {
    const missing: string[] = [];
    const titlesOf = new Map<string, Set<string>>();
    for (const r of rows) {
      for (const { file, title } of r.tests) {
        const paths = files.get(basename(file));
        if (!paths || paths.length !== 1) {
          missing.push(`${r.id}: ${file} (${paths ? 'ambiguous' : 'no such test file'})`);
          continue;
        }
        if (!titlesOf.has(paths[0])) titlesOf.set(paths[0], testTitles(readFileSync(paths[0], 'utf8')));
        if (!titlesOf.get(paths[0])!.has(title)) missing.push(`${r.id}: ${file} «${title}»`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('the summary counts match the table', () => {
    const counted: Record<string, number> = {};
    for (const r of rows) counted[r.status] = (counted[r.status] ?? 0) + 1;
    for (const s of STATUSES) expect({ status: s, n: summary[s] }).toEqual({ status: s, n: counted[s] ?? 0 });
  });

  it('the title extractor finds plain, escaped and it.each titles and ignores skipped tests', () => {
    const src = [
      "it('plain title', () => {});",
      '  it("double \\"quoted\\" title", async () => {});',
      "it('agency A\\'s rows', () => {});",
      "it.each([['a', 1], ['b', (2)]])('%s each title', () => {});",
      "it.skip('skipped title', () => {});",
      "describe('a describe title', () => {});",
    ].join('\n');
    expect([...testTitles(src)].sort()).toEqual(['%s each title', "agency A's rows", 'double "quoted" title', 'plain title']);
  });
});
