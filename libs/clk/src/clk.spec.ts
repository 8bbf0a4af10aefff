import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nameTokens } from '../../matching/src/engine/normalise';
import { ClkEncoder, clkKeyCheck, clkSchema, clkText, clkTokens, CURRENT_CLK_SCHEMA, decodeClk, dice, lshBands, popcount } from './index';
import { encodeCsv, parseCsv } from './encode-csv';
import { runEncode } from './main';

const SECRET = 'unit-test-secret-0123456789-abcdefghij';
const enc = new ClkEncoder(SECRET);
const clk = (firstName: string, paternalSurname?: string, maternalSurname?: string, middleName?: string) => enc.encode({ firstName, middleName, paternalSurname, maternalSurname })!;

describe('CLK encoder (schema puente-clk-v1)', () => {
  it('is deterministic, 1024 bits, and depends on the secret', () => {
    const a = clk('María Guadalupe', 'Hernández', 'López');
    expect(a.length).toBe(128);
    expect(clk('María Guadalupe', 'Hernández', 'López').equals(a)).toBe(true);
    const other = new ClkEncoder('another-secret-0123456789-abcdefghijkl').encode({ firstName: 'María Guadalupe', paternalSurname: 'Hernández', maternalSurname: 'López' })!;
    expect(other.equals(a)).toBe(false);
    expect(dice(a, other)).toBeLessThan(0.6);
    expect(clkKeyCheck(SECRET)).toBe(enc.keyCheck);
    expect(clkKeyCheck('another-secret-0123456789-abcdefghijkl')).not.toBe(enc.keyCheck);
    // Fill stays well below saturation for a long name.
    expect(popcount(clk('María de los Ángeles Guadalupe', 'Villanueva', 'Arellano')) / 1024).toBeLessThan(0.7);
  });

  it('is insensitive to accents, capitals, particles and surname order', () => {
    const a = clk('María José', 'de la Cruz', 'Núñez');
    expect(clk('MARIA JOSE', 'CRUZ', 'NUNEZ').equals(a)).toBe(true);
    expect(clk('María José', 'Núñez', 'de la Cruz').equals(a)).toBe(true);
  });

  it('gives a high Dice to diminutives, typos and sound-alike spellings, a low one to other names', () => {
    const base = clk('Guadalupe', 'Hernández', 'López');
    expect(dice(base, clk('Lupita', 'Hernandez', 'Lopez'))).toBe(1);
    expect(dice(clk('Jesús', 'Vázquez', 'Jiménez'), clk('Chuy', 'Basques', 'Gimenez'))).toBe(1);
    expect(dice(base, clk('Guadalupe', 'Hernádez', 'López'))).toBeGreaterThan(0.86);
    expect(dice(base, clk('Guadalupe', 'Hernández'))).toBeGreaterThan(0.6);
    expect(dice(base, clk('Rosa Isela', 'Hernández', 'López'))).toBeLessThan(0.72);
    expect(dice(base, clk('Verónica', 'Castillo', 'Ramos'))).toBeLessThan(0.45);
  });

  it('normalises like the matching engine (drift check: a change there needs a new schema version)', () => {
    for (const s of ['María de los Ángeles', 'JOSÉ  LUIS', 'Ñuñez-Peña', "O'Higgins del Río", 'van der Berg']) {
      expect(clkText(s).split(' ').filter((t) => t && !clkSchema(CURRENT_CLK_SCHEMA).normalisation.particles.includes(t))).toEqual(nameTokens(s));
    }
    expect(clkTokens({ firstName: 'Xóchitl', paternalSurname: 'Guerrero Velázquez' })).toEqual({ firstName: ['joCitl'], surnames: ['gerero', 'belaskes'] });
  });

  it('decodes strictly: schema, canonical base64, length, empty', () => {
    const b64 = clk('Ana', 'Ruiz').toString('base64');
    expect(decodeClk(b64, 'puente-clk-v1').ok).toBe(true);
    expect(decodeClk(b64, 'puente-clk-v9')).toMatchObject({ ok: false, reason: 'schema' });
    expect(decodeClk(b64.slice(0, -4), 'puente-clk-v1')).toMatchObject({ ok: false, reason: 'length', expected: 128 });
    expect(decodeClk('not base64!', 'puente-clk-v1')).toMatchObject({ ok: false, reason: 'base64' });
    expect(decodeClk(Buffer.alloc(128).toString('base64'), 'puente-clk-v1')).toMatchObject({ ok: false, reason: 'empty' });
    expect(enc.encode({})).toBeNull();
  });

  it('puts similar names into a common LSH band and unrelated ones not', () => {
    const share = (x: Buffer, y: Buffer) => lshBands(x).some((b, i) => b === lshBands(y)[i]);
    expect(share(clk('Guadalupe', 'Hernández', 'López'), clk('Guadalupe', 'Hernandes', 'López'))).toBe(true);
    expect(share(clk('Guadalupe', 'Hernández', 'López'), clk('Verónica', 'Castillo', 'Ramos'))).toBe(false);
  });

  it('encodes a CSV (quoted fields, BOM) and the standalone tool writes CSV or JSON lines', () => {
    expect(parseCsv('\ufeffa,"b,c","d""e"\r\n1,2,3\n')).toEqual([
      ['a', 'b,c', 'd"e'],
      ['1', '2', '3'],
    ]);
    const csv = 'localId,firstName,paternalSurname,maternalSurname,notes\nN-1,Lupita,Hernández,López,never read\nN-2,,,,\n';
    const rows = encodeCsv(csv, SECRET);
    expect(rows[0]).toEqual({ localId: 'N-1', clk: { schema: 'puente-clk-v1', encoding: clk('Guadalupe', 'Hernández', 'López').toString('base64'), keyCheck: enc.keyCheck } });
    expect(rows[1]).toEqual({ localId: 'N-2', clk: null });
    expect(() => encodeCsv('firstName\nAna\n', SECRET)).toThrow(/localId/);
    const dir = mkdtempSync(join(tmpdir(), 'clk-'));
    writeFileSync(join(dir, 'in.csv'), csv);
    writeFileSync(join(dir, 'secret'), `${SECRET}\n`);
    const jsonl = runEncode(['--secret-file', join(dir, 'secret'), '--format', 'jsonl', join(dir, 'in.csv')], {});
    expect(JSON.parse(jsonl.split('\n')[0])).toEqual(rows[0]);
    expect(runEncode([join(dir, 'in.csv')], { CLK_SECRET: SECRET }).split('\n')[0]).toBe('localId,schema,keyCheck,clk');
    expect(() => runEncode([join(dir, 'in.csv')], {})).toThrow(/secret/);
  });
});
