import { ClkEncoder, dice } from '@app/clk';
import { clkLevel, clkSide, scoreClkPair } from './clk-score';

const enc = new ClkEncoder('score-test-secret-0123456789-abcdefghij');
const d = (x: Parameters<ClkEncoder['encode']>[0], y: Parameters<ClkEncoder['encode']>[0]) => dice(enc.encode(x)!, enc.encode(y)!);
const side = (birthDate?: string, sex = 'female', extra: Record<string, unknown> = {}) => clkSide({ birthDate, sex, ...extra });

describe('CLK pair scoring', () => {
  const lupe = { firstName: 'María Guadalupe', paternalSurname: 'Hernández', maternalSurname: 'López' };
  it('links equal or close names with the same birth date, reviews name-only agreements', () => {
    const same = d(lupe, { firstName: 'Maria Guadalupe', paternalSurname: 'Hernandes', maternalSurname: 'Lopez' });
    expect(clkLevel(same)).toBe('exact');
    expect(scoreClkPair(same, side('1990-03-14'), side('1990-03-14')).outcome).toBe('link');
    expect(scoreClkPair(same, side('1990-03-11'), side('1990-11-03')).levels.birthDate).toBe('swap');
    expect(scoreClkPair(same, side('1990-03-11'), side('1990-11-03')).outcome).toBe('link');
    expect(scoreClkPair(same, side('1990-03-14'), side(undefined)).outcome).toBe('review');
    // An age-derived year within ±1 is not enough for an automatic link.
    expect(scoreClkPair(same, side('1990-03-14'), side(undefined, 'female', { ageAtEvent: 30, identifiedOn: '2020-06-01' })).outcome).toBe('review');
    const typo = d(lupe, { firstName: 'María Guadalupe', paternalSurname: 'Hernádez', maternalSurname: 'López' });
    expect(clkLevel(typo)).toBe('close');
    expect(scoreClkPair(typo, side('1990-03-14'), side('1991-03-14')).outcome).toBe('link');
  });

  it('does not link sisters or twins (other first name, same surnames), nor a similar name with another birth date', () => {
    const sister = d(lupe, { firstName: 'Rosa Isela', paternalSurname: 'Hernández', maternalSurname: 'López' });
    expect(['partial', 'disagree']).toContain(clkLevel(sister));
    expect(scoreClkPair(sister, side('1990-03-14'), side('1990-03-14')).outcome).not.toBe('link');
    expect(scoreClkPair(sister, side('1990-03-14'), side('1994-07-01')).outcome).toBe('none');
    expect(scoreClkPair(d(lupe, lupe), side('1990-03-14'), side('1995-01-20')).outcome).not.toBe('link');
  });

  it('reports levels without values, plaintext name fields as missing', () => {
    const s = scoreClkPair(0.99, side('1990-03-14'), side('1990-03-14', 'male'));
    expect(s.levels).toEqual({ clk: 'exact', firstName: 'missing', surnames: 'missing', curp: 'missing', birthDate: 'exact', sex: 'disagree' });
  });
});
