import { createPrincipal, startTestApp, type TestApp, type TestPrincipal } from '@app/testing';
import { catalogRegistry } from '@app/catalogs';
import type { components } from '@app/client';

type VictimDto = components['schemas']['VictimDto'];

const victim = (over: Partial<VictimDto> = {}): VictimDto => ({
  sex: 'female',
  ageAtEvent: 22,
  nationality: ['HND'],
  stateOfOrigin: 'NA',
  vulnerableGroups: ['migrant_in_transit'],
  victimType: 'direct',
  offenses: ['LGT-13'],
  ...over,
});

/** Victim attributes of R11 (in criminal proceedings), R19 (detention episodes) and R27 (visa, repatriation, interpreter). */
describe('victim attributes: proceedings, migration events, interpreter, detention (R11, R19, R27)', () => {
  let t: TestApp;
  let a: TestPrincipal;

  beforeAll(async () => {
    t = await startTestApp();
    a = await createPrincipal(t, { kind: 'migration', jurisdiction: 'FED', scopes: ['victims:read', 'victims:write'] });
  });
  afterAll(() => t.close());

  it('records a victim outside criminal proceedings with humanitarian visa, repatriation and interpreter; events kept in date order', async () => {
    const body = victim({
      inCriminalProceedings: 'no',
      interpreterProvided: 'yes',
      migrationEvents: [
        { type: 'repatriation', on: '2025-09-01' },
        { type: 'humanitarian_visa_granted', on: '2025-04-20', until: '2099-04-19' },
        { type: 'humanitarian_visa_requested', on: '2025-04-02' },
      ],
    });
    const res = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-F1' } }, body });
    expect(res.response.status).toBe(201);
    expect(res.data!.warnings).toEqual([]);
    expect(res.data!.data).toMatchObject({
      inCriminalProceedings: 'no',
      interpreterProvided: 'yes',
      migrationEvents: [
        { type: 'humanitarian_visa_requested', on: '2025-04-02' },
        { type: 'humanitarian_visa_granted', on: '2025-04-20', until: '2099-04-19' },
        { type: 'repatriation', on: '2025-09-01' },
      ],
    });
    // The same events in another order are the same content: a retry is unchanged.
    const again = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-F1' } }, body: { ...body, migrationEvents: [...body.migrationEvents!].reverse() } });
    expect([again.data!.status, again.data!.version]).toEqual(['unchanged', 1]);
  });

  it('records recruitment channels, methods, means and platforms (R30) and places of identification, exploitation, transit and destination (R32)', async () => {
    const body = victim({
      recruitmentChannels: ['social_network', 'person_to_person'],
      recruitmentMethods: ['job_offer'],
      meansOfControl: ['document_retention', 'debt_bondage'],
      platforms: ['facebook'],
      placeIdentified: { country: 'MEX', state: '07', municipality: '089' },
      placesOfExploitation: [{ country: 'MEX', state: '23', municipality: '005' }],
      placesOfTransit: [{ country: 'GTM' }],
      placesOfDestination: [{ country: 'USA', state: '02' }],
    });
    const res = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-R30' } }, body });
    expect(res.response.status).toBe(201);
    expect(res.data!.data).toMatchObject({
      recruitmentChannels: ['social_network', 'person_to_person'],
      meansOfControl: ['document_retention', 'debt_bondage'],
      placeIdentified: { country: 'MEX', state: '07', municipality: '089' },
      placesOfTransit: [{ country: 'GTM' }],
    });
    // A Mexican state for a place abroad is questionable, not impossible: a warning.
    expect(res.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/placesOfDestination/0/state', rule: 'foreign-state' })]);
    const bad = await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-R30' } },
      body: victim({ recruitmentChannels: ['carrier_pigeon'], meansOfControl: ['SI', 'violence'], placesOfExploitation: [{ country: 'ZZZ' }] }),
    });
    expect(bad.response.status).toBe(422);
    const pointers = bad.error!.errors!.map((e) => e.pointer);
    expect(pointers).toEqual(expect.arrayContaining(['#/recruitmentChannels', '#/placesOfExploitation/0/country']));
    expect([...bad.error!.errors!.find((e) => e.pointer === '#/recruitmentChannels')!.allowed!].sort()).toEqual(catalogRegistry().allowed('recruitment-channel').sort());
  });

  it('a detention episode of a victim is accepted with a warning (art. 75); impossible dates and unknown codes are rejected', async () => {
    const detained = await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-F2' } },
      body: victim({ migrationEvents: [{ type: 'detention_episode', on: '2025-05-08', until: '2025-05-20' }] }),
    });
    expect(detained.response.status).toBe(201);
    expect(detained.data!.warnings).toEqual([expect.objectContaining({ pointer: '#/migrationEvents/0/type', rule: 'victim-detained' })]);
    const dates = await a.api.PUT('/v1/victims/{localId}', {
      params: { path: { localId: 'V-F3' } },
      body: victim({ migrationEvents: [{ type: 'detention_episode', on: '2025-05-08', until: '2025-05-01' }, { type: 'repatriation', on: '2999-01-01' }] }),
    });
    expect(dates.response.status).toBe(422);
    expect(dates.error!.errors!.map((e) => [e.pointer, e.rule])).toEqual([
      ['#/migrationEvents/0/until', 'until-after-on'],
      ['#/migrationEvents/1/on', 'not-future'],
    ]);
    for (const [catalog, pointer, over] of [
      ['migration-event-type', '#/migrationEvents/0/type', { migrationEvents: [{ type: 'deported', on: '2025-01-01' }] }],
      ['yes-no', '#/inCriminalProceedings', { inCriminalProceedings: 'pending' }],
      ['yes-no', '#/interpreterProvided', { interpreterProvided: 'partly' }],
    ] as Array<[string, string, Partial<VictimDto>]>) {
      const res = await a.api.PUT('/v1/victims/{localId}', { params: { path: { localId: 'V-F4' } }, body: victim(over) });
      expect(res.response.status).toBe(422);
      const err = res.error!.errors!.find((e) => e.pointer === pointer)!;
      expect([...err.allowed!].sort()).toEqual(catalogRegistry().allowed(catalog).sort());
    }
  });
});
