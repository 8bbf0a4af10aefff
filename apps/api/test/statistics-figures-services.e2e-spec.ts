import request from 'supertest';
import { createPrincipal, startTestApp, type TestPrincipal, type FigureCell, type FigureResult, range, pct, figuresHarness } from '@app/testing';

/**
 * Reproduces the shelter and services tables of brief §4 — T47 and T50 (CNDH 004, 2012-06-15 to 2017-07-31),
 * the "victims receiving services" rows of T56 and T57 (US TIP Report 2024, calendar 2023 vs 2022) — from
 * synthetic record-level data loaded through the HTTP batch endpoints, with the statistics measures
 * `shelters` (unit shelter registry entry), `supervisory-visits` (visits recorded on the shelters),
 * `sheltered-victims` (victims with a stay, once per person), `assistance` (victims receiving services,
 * once per person), `services` (services given), and `victims` / `referrals` where the table needs them.
 */
type Cell = FigureCell;
type Result = FigureResult;


const harness = figuresHarness;

const population = (over: object = {}) => ({ adultWomen: 'yes', adultMen: 'no', girls: 'yes', boys: 'no', childrenOfVictims: 'yes', ...over });
const shelter = (over: object) => ({
  shelterType: 'shelter',
  operator: 'ngo',
  specialisation: 'trafficking',
  state: '09',
  populations: population(),
  onOfficialRoster: 'no',
  ...over,
});
const victim = (localId: string, identifiedOn: string, over: object = {}) => ({
  localId,
  sex: 'female',
  ageAtEvent: 25,
  identifiedOn,
  nationality: ['MEX'],
  stateOfOrigin: '09',
  vulnerableGroups: ['NR'],
  victimType: 'direct',
  offenses: ['LGT-13'],
  ...over,
});

/**
 * T47 (004 ¶91-¶96, ¶226-¶228; 2012-06-15 to 2017-07-31) and T50 (004 ¶167, SEGOB visits 2015-2017).
 *
 * Prosecution offices = agencies of kind `prosecutor` (32 state offices + PGR/FEVIMTRA = 33). "Offices with a
 * shelter" = agencies contributing to `shelters` (contributingAgencies); refuges / shelters / half-way houses =
 * `shelterType`; "stopped operating" = `closed` (closedOn given; November 2017); "shelters accepting adult men" =
 * `acceptsAdultMen`; "age limit 13" = the highest `boysMaxAge` with shelters. Victims looked after = measure
 * `sheltered-victims` (victims with a stay admitted in the period, once per person; contributingAgencies = the
 * 7 authorities); indigenous / disabilities / migrants in transit = `vulnerableGroup`; the 27 % = victims in
 * any of the three groups over the 364. Offices that channel = agencies contributing to `referrals` sent by
 * prosecutors in the period (8 with a shelter + 15 without = 23).
 * T47 not reproduced: the split of the channelling offices by whether they have a shelter (4 with a shelter do
 * not channel; 15 without do) and the rows "6 do not channel or did not report", "with a signed referral
 * agreement (1; Colima and Quintana Roo 2)", "no attention to indirect victims (15) / witnesses (18)", "45 %
 * with neither infrastructure nor referral" and "11 with protocols": each is an intersection or complement of
 * agencies across measures (shelters × referrals × agreements × services) or a capability of the agency
 * (protocols, attention offered) that no record holds; a statistic counts units of one measure, and the
 * agreements have no statistics measure yet.
 * T50: visits = measure `supervisory-visits` (the `supervisoryVisits` of the shelter records) by the visiting
 * agency's kind (`coordination` = SEGOB) and year of the visit; "to 6 shelters", "only one visited shelter is on
 * the official roster" and "9 of the 10 rostered were not visited" = `shelters` by `supervised` × `onOfficialRoster`.
 * Reproduced fully ("CNDH knows of shelters not on the roster" is a remark without a figure).
 */
describe('statistics reproduce the CNDH shelter tables T47 and T50', () => {
  const h = harness();
  const STATES = range(32).map((i) => String(i + 1).padStart(2, '0'));
  const OFFICES = [...STATES, 'FED'];
  // Offices with shelters: Aguascalientes, Campeche, Chiapas, Mexico City, Guanajuato, State of Mexico, Nayarit, Nuevo León, Puebla, Sonora, Tlaxcala, PGR.
  const WITH_SHELTER = ['01', '04', '07', '09', '11', '15', '18', '19', '21', '26', '29', 'FED'];
  // 20 shelters: 10 refuges, 9 shelters, 1 half-way house, spread over the 12 offices; 10 on the official roster.
  const TYPES = [...Array(10).fill('refuge'), ...Array(9).fill('shelter'), 'halfway_house'];
  const SHELTERS = TYPES.map((type, i) => ({
    localId: `SH-${i}`,
    office: WITH_SHELTER[i % 12],
    type,
    roster: i % 2 === 0 ? 'yes' : 'no',
    // boys: none, up to 12 or up to 13 (the highest limit is 13).
    boys: i % 3 === 0 ? undefined : i % 3 === 1 ? 12 : 13,
    closedOn: i === 5 ? '2017-11-15' : undefined,
  }));
  // SEGOB visits: 2015: 4, 2016: 3, 2017: 1 — to 6 shelters, one of them (SH-0) on the roster.
  const VISITED = ['SH-0', 'SH-1', 'SH-3', 'SH-5', 'SH-7', 'SH-9'];
  const VISITS = ['2015-02-10', '2015-05-11', '2015-08-12', '2015-11-13', '2016-03-14', '2016-06-15', '2016-09-16', '2017-04-17'];
  // Victims in the shelters of 7 of the offices: 364, of whom 35 indigenous, 31 with disabilities, 33 migrants in transit.
  const HOSTS = WITH_SHELTER.slice(0, 7);
  const GROUPS = [...Array(35).fill('indigenous'), ...Array(31).fill('disability'), ...Array(33).fill('migrant_in_transit')];
  const SHELTERED = range(364).map((i) => ({ localId: `VS-${i}`, office: HOSTS[i % 7], group: GROUPS[i] ?? 'NR' }));
  // Offices that channel victims: 8 of the 12 with a shelter and 15 of the 21 without.
  const WITHOUT = OFFICES.filter((o) => !WITH_SHELTER.includes(o));
  const CHANNEL = [...WITH_SHELTER.slice(0, 8), ...WITHOUT.slice(0, 15)];

  beforeAll(async () => {
    h.t = await startTestApp();
    h.exact = await createPrincipal(h.t, { kind: 'oversight', scopes: ['statistics:read', 'statistics:exact'] });
    const office: Record<string, TestPrincipal> = {};
    for (const o of OFFICES)
      office[o] = await createPrincipal(h.t, { kind: 'prosecutor', jurisdiction: o, scopes: ['victims:read', 'victims:write', 'referrals:write'] });
    const ngo = await createPrincipal(h.t, { kind: 'ngo', jurisdiction: '09', scopes: ['referrals:read'] });
    for (const o of WITH_SHELTER) {
      const mine = SHELTERS.filter((s) => s.office === o);
      await h.post(
        office[o],
        'shelters',
        mine.map((s) => ({
          localId: s.localId,
          ...shelter({
            shelterType: s.type,
            operator: 'government_prosecutor',
            state: o === 'FED' ? '09' : o,
            populations: population(s.boys === undefined ? {} : { boys: 'yes', boysMaxAge: s.boys }),
            onOfficialRoster: s.roster,
            openedOn: '2013-01-15',
            ...(s.closedOn ? { closedOn: s.closedOn } : {}),
            supervisoryVisits: [
              ...VISITS.filter((_, k) => VISITED[k % 6] === s.localId).map((visitedOn) => ({
                visitedOn,
                visitingAgencyKind: 'coordination',
                visitingAgencyCode: 'segob',
              })),
              // One visit by another kind of agency (an oversight body), not SEGOB's: outside T50.
              ...(s.localId === 'SH-3' ? [{ visitedOn: '2016-01-20', visitingAgencyKind: 'oversight' }] : []),
            ],
          }),
        })),
      );
    }
    for (const o of HOSTS) {
      const mine = SHELTERED.filter((v) => v.office === o);
      await h.post(office[o], 'victims', mine.map((v, k) => victim(v.localId, `${2013 + (k % 4)}-06-01`, { vulnerableGroups: [v.group] })));
      const shelterOf = SHELTERS.find((s) => s.office === o)!.localId;
      await h.post(
        office[o],
        'shelter-stays',
        mine.map((v, k) => ({
          localId: `ST-${v.localId}`,
          shelterLocalId: shelterOf,
          victimLocalId: v.localId,
          admittedOn: `${2013 + (k % 4)}-06-02`,
          exitedOn: `${2013 + (k % 4)}-08-30`,
          movementRestricted: 'no',
        })),
      );
    }
    // A second stay of 10 of the victims (a return to the shelter): the victims still count once.
    await h.post(
      office[HOSTS[0]],
      'shelter-stays',
      SHELTERED.filter((v) => v.office === HOSTS[0])
        .slice(0, 10)
        .map((v) => ({ localId: `ST2-${v.localId}`, shelterLocalId: SHELTERS[0].localId, victimLocalId: v.localId, admittedOn: '2017-02-01', movementRestricted: 'no' })),
    );
    // A stay after the period (2018): outside T47.
    await h.post(office[HOSTS[1]], 'victims', [victim('VS-LATE', '2018-03-01')]);
    await h.post(office[HOSTS[1]], 'shelter-stays', [{ localId: 'ST-LATE', shelterLocalId: SHELTERS[1].localId, victimLocalId: 'VS-LATE', admittedOn: '2018-03-02', movementRestricted: 'no' }]);

    // Channelling: one referral per channelling office, sent in 2016.
    const sentAt: string[] = [];
    for (const o of CHANNEL) {
      if (!HOSTS.includes(o)) await h.post(office[o], 'victims', [victim(`VC-${o}`, '2016-02-01')]);
      const subject = HOSTS.includes(o) ? SHELTERED.find((v) => v.office === o)!.localId : `VC-${o}`;
      const res = await request(h.t.baseUrl)
        .post('/v1/referrals')
        .auth(office[o].token, { type: 'bearer' })
        .send({ toAgency: ngo.agencyCode, subject: { kind: 'victims', localId: subject }, reason: 'victim_assistance', urgency: 'routine', shared: ['victim.demographics'] });
      if (res.status !== 201) throw new Error(`referral: ${res.status} ${JSON.stringify(res.body).slice(0, 400)}`);
      sentAt.push(res.body.id);
    }
    await h.t.db.pool.query(`UPDATE referrals SET created_at = '2016-03-01T12:00:00Z' WHERE id = ANY($1::uuid[])`, [sentAt]);
  }, 600_000);
  afterAll(() => h.t.close());

  const P004 = 'from=2012-06-15&to=2017-07-31';

  it('T47: prosecution offices with shelters and victims sheltered (12 offices; 10 refuges, 9 shelters, 1 half-way house; 1 stopped operating; 0 accept adult men; boys up to 13; 364 victims in shelters of 7 authorities: 35 indigenous, 31 with disabilities, 33 migrants in transit = 27 %; 23 offices channel victims)', async () => {
    const byType = await h.stat('shelters', 'groupBy=shelterType&agencyKind=prosecutor');
    expect(byType.unit).toBe('shelter');
    expect(byType.contributingAgencies).toBe(12);
    expect(h.byKey(byType, 'shelterType')).toEqual({ refuge: 10, shelter: 9, halfway_house: 1 });
    expect(byType.total.value).toBe(20);
    const closed = await h.stat('shelters', 'groupBy=closed&agencyKind=prosecutor');
    expect([h.cell(closed, { closed: 'yes' }), h.cell(closed, { closed: 'no' })]).toEqual([1, 19]);
    const men = await h.stat('shelters', 'groupBy=acceptsAdultMen&agencyKind=prosecutor');
    expect([h.cell(men, { acceptsAdultMen: 'yes' }), h.cell(men, { acceptsAdultMen: 'no' })]).toEqual([0, 20]); // zero row listed
    const boys = await h.stat('shelters', 'groupBy=boysMaxAge&agencyKind=prosecutor');
    const ages = boys.rows.filter((x: Cell) => x.value && /^\d+$/.test(x.key.boysMaxAge)).map((x: Cell) => Number(x.key.boysMaxAge));
    expect(Math.max(...ages)).toBe(13);
    expect(h.cell(boys, { boysMaxAge: 'NA' })).toBe(SHELTERS.filter((s) => s.boys === undefined).length); // no boys at all

    const sheltered = await h.stat('sheltered-victims', `groupBy=vulnerableGroup&${P004}`);
    expect(sheltered.unit).toBe('person_assisted');
    expect(sheltered.total.value).toBe(364); // 10 victims with two stays count once; the 2018 stay is outside
    expect(sheltered.contributingAgencies).toBe(7);
    expect(h.byKey(sheltered, 'vulnerableGroup')).toEqual({ indigenous: 35, disability: 31, migrant_in_transit: 33, NR: 265 });
    const vulnerable = await h.stat('sheltered-victims', `groupBy=year&vulnerableGroup=indigenous,disability,migrant_in_transit&${P004}`);
    expect(pct(vulnerable.total.value!, sheltered.total.value!)).toBe(27);
    const stays = await h.stat('shelter-stays', `groupBy=shelterType&${P004}`);
    expect([stays.unit, stays.total.value]).toEqual(['shelter_stay', 374]);

    const channel = await h.stat('referrals', `groupBy=receiverAgencyKind&agencyKind=prosecutor&${P004}`);
    expect(channel.contributingAgencies).toBe(23); // 8 offices with a shelter + 15 without
    expect(channel.total.value).toBe(23);
  });

  it('T50: SEGOB supervisory visits to shelters (2015: 4, 2016: 3, 2017: 1 = 8 visits to 6 shelters; 1 visited shelter on the roster; 9 of the 10 rostered not visited)', async () => {
    const visits = await h.stat('supervisory-visits', 'groupBy=year&visitingAgencyKind=coordination&from=2015-01-01&to=2017-12-31');
    expect(visits.unit).toBe('supervisory_visit');
    expect(h.byKey(visits, 'year')).toEqual({ '2015': 4, '2016': 3, '2017': 1 });
    expect(visits.total.value).toBe(8);
    const all = await h.stat('supervisory-visits', 'groupBy=visitingAgencyKind');
    expect(h.byKey(all, 'visitingAgencyKind')).toEqual({ coordination: 8, oversight: 1 });
    const shelters = await h.stat('shelters', 'groupBy=supervised,onOfficialRoster');
    expect(h.margin(shelters, 'supervised', 'yes')).toBe(6);
    expect(h.cell(shelters, { supervised: 'yes', onOfficialRoster: 'yes' })).toBe(1);
    expect(h.margin(shelters, 'onOfficialRoster', 'yes')).toBe(10);
    expect(h.cell(shelters, { supervised: 'no', onOfficialRoster: 'yes' })).toBe(9);
  });
});

/**
 * T56 ("received government or government-supported services" rows) and T57 (US TIP Report 2024, 001
 * Protection ¶4, ¶6-¶8; calendar 2023, visas 2023 vs 2022).
 *
 * T56: victims receiving services = measure `assistance` (unit service_recipient: a victim counts once however
 * many services they received), by the year the service started and the TIP bucket of the victim record's
 * offenses (`tipBucket`, catalog `offense`); the services themselves = measure `services`. Providers are
 * victim commissions, health services and NGOs ("government or government-supported"); the source gives no
 * provider breakdown, so no provider filter is applied. Reproduced fully (the "referred to service
 * providers" rows are in statistics-figures-tip.e2e-spec.ts; "type or duration of services" was not given by
 * the source, the dimensions `serviceType` and `ceavModelStage` exist).
 * T57: shelters able to assist trafficking victims = measure `shelters` by `specialisation` (the specialised
 * population = indigenous_women + children_adolescents + migrants, children of `specialised_population` in
 * the catalog); government shelters run by specialised prosecutors = `operator` government_prosecutor;
 * government-funded (State of Mexico and Mexico City) = `operator` state_government by `state`; trafficking
 * shelters accepting men = `acceptsAdultMen` × `specialisation`. Humanitarian visas = measure `victims` by
 * `migrationEvent` humanitarian_visa_granted and year; foreign sex-trafficking victims repatriated =
 * `migrationEvent` repatriation, `tipBucket` sex, non-Mexican `nationality`.
 * T57 partly reproduced: the FEVIMTRA high-security shelter's capacity (44) and maximum stay (3 months) are
 * values of one registry entry, not counts: they are read from the record (`GET /v1/shelters/{localId}`,
 * `maxStayDays` 90 = 3 months), and the statistic only counts it (`highSecurity` yes, 1 shelter of a federal
 * agency). The year of a visa or repatriation is the victim's identification year (`year` of `victims`), not
 * the date of the migration event: the synthetic victims are identified in the year of their event. Not
 * expressible: the MXN 2,000,000 budget for consular assistance (no budget is recorded).
 */
describe('statistics reproduce the TIP 2024 services and shelter tables T56 (services) and T57', () => {
  const h = harness();
  // [operator, registering agency, specialisation, state, count]
  const SHELTERS: Array<[string, string, string, string, number]> = [
    ['government_prosecutor', 'FGR', 'trafficking', '09', 1], // FEVIMTRA (high security)
    ['government_prosecutor', 'FGE-15', 'trafficking', '15', 1],
    ['government_prosecutor', 'FGE-21', 'trafficking', '21', 1],
    ['government_prosecutor', 'FGE-29', 'trafficking', '29', 1],
    ['government_prosecutor', 'FGE-30', 'trafficking', '30', 1],
    ['state_government', 'CEEAV-15', 'trafficking', '15', 1],
    ['state_government', 'CEEAV-15', 'gender_based_violence', '15', 1],
    ['state_government', 'CEEAV-09', 'trafficking', '09', 1],
    ['state_government', 'CEEAV-09', 'gender_based_violence', '09', 1],
    ['ngo', 'NGO-A', 'trafficking', '14', 6],
    ['ngo', 'NGO-A', 'gender_based_violence', '19', 9],
    ['ngo', 'NGO-B', 'indigenous_women', '07', 2],
    ['ngo', 'NGO-B', 'children_adolescents', '09', 2],
    ['ngo', 'NGO-B', 'migrants', '07', 1], // the only shelter accepting adult men
  ];
  const KINDS: Record<string, 'prosecutor' | 'victim_commission' | 'shelter'> = { FGR: 'prosecutor', 'FGE-15': 'prosecutor', 'FGE-21': 'prosecutor', 'FGE-29': 'prosecutor', 'FGE-30': 'prosecutor', 'CEEAV-15': 'victim_commission', 'CEEAV-09': 'victim_commission', 'NGO-A': 'shelter', 'NGO-B': 'shelter' };
  // T56: victims receiving services: [year, offense (TIP bucket), count].
  const SERVED: Array<[number, string, number]> = [
    [2023, 'LGT-13', 50], // sex
    [2023, 'LGT-22', 18], // labour
    [2023, 'LGT-10', 50], // unspecified
    [2022, 'LGT-13', 60],
    [2022, 'LGT-22', 19],
  ];
  const SERVICE_TYPES = ['psychological_care', 'legal_assistance', 'medical_care', 'housing'];
  const PROVIDERS = ['victim_commission', 'health', 'ngo'];
  const STAGE: Record<string, string> = { psychological_care: 'assistance', legal_assistance: 'assistance', medical_care: 'immediate_help', housing: 'immediate_help' };
  const given: Array<{ year: number; victim: string; stage: string }> = [];
  let fgr: TestPrincipal;
  let reader: TestPrincipal;
  let none: TestPrincipal;
  let beforeShelters: string;

  beforeAll(async () => {
    h.t = await startTestApp();
    h.exact = await createPrincipal(h.t, { kind: 'oversight', scopes: ['statistics:read', 'statistics:exact'] });
    const agency: Record<string, TestPrincipal> = {};
    for (const [code, kind] of Object.entries(KINDS)) {
      const jurisdiction = code === 'FGR' ? 'FED' : /\d\d$/.test(code) ? code.slice(-2) : '09';
      agency[code] = await createPrincipal(h.t, { kind, jurisdiction, scopes: ['victims:read', 'victims:write'] });
    }
    beforeShelters = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    const byAgency: Record<string, object[]> = {};
    let n = 0;
    for (const [operator, code, specialisation, state, count] of SHELTERS) {
      for (const _ of range(count)) {
        const fevimtra = code === 'FGR';
        (byAgency[code] ??= []).push({
          localId: fevimtra ? 'FEVIMTRA-1' : `SH-${n++}`,
          ...shelter({
            shelterType: fevimtra ? 'refuge' : 'shelter',
            operator,
            specialisation,
            state,
            populations: population(specialisation === 'migrants' ? { adultMen: 'yes', boys: 'yes', boysMaxAge: 17 } : { boys: 'yes', boysMaxAge: 13 }),
            onOfficialRoster: operator === 'ngo' ? 'no' : 'yes',
            openedOn: '2019-03-01',
            ...(fevimtra ? { highSecurity: true, capacity: 44, maxStayDays: 90 } : { capacity: 20 }),
          }),
        });
      }
    }
    for (const [code, entries] of Object.entries(byAgency)) await h.post(agency[code], 'shelters', entries);

    // T56: victims (CEEAV-09 and FGE-15 alternately) and their services; every fourth victim received two services.
    const victims: Record<string, object[]> = { 'CEEAV-09': [], 'FGE-15': [] };
    const services: Record<string, object[]> = { 'CEEAV-09': [], 'FGE-15': [] };
    let k = 0;
    for (const [year, offense, count] of SERVED) {
      for (const i of range(count)) {
        const code = k % 2 ? 'FGE-15' : 'CEEAV-09';
        const id = `VA-${k++}`;
        victims[code].push(victim(id, `${year}-02-01`, { offenses: [offense], sex: i % 3 ? 'female' : 'male', ageAtEvent: 14 + (i % 20) }));
        const start = `${year}-${String((i % 11) + 1).padStart(2, '0')}-10`;
        services[code].push({ localId: `AS-${id}`, victimLocalId: id, serviceType: SERVICE_TYPES[i % 4], providerKind: PROVIDERS[i % 3], startDate: start, status: 'ongoing' });
        given.push({ year, victim: id, stage: STAGE[SERVICE_TYPES[i % 4]] });
        if (i % 4 === 0) {
          services[code].push({ localId: `AS2-${id}`, victimLocalId: id, serviceType: 'legal_assistance', providerKind: 'victim_commission', startDate: start, endDate: `${year}-12-20`, status: 'completed' });
          given.push({ year, victim: id, stage: 'assistance' });
        }
      }
    }
    // Outside T56: a service to a 2023 victim started in 2024, and a withdrawn service.
    services['CEEAV-09'].push({ localId: 'AS-2024', victimLocalId: 'VA-0', serviceType: 'psychological_care', providerKind: 'ngo', startDate: '2024-01-15', status: 'ongoing' });
    victims['CEEAV-09'].push(victim('VA-W', '2023-02-01'));
    services['CEEAV-09'].push({ localId: 'AS-W', victimLocalId: 'VA-W', serviceType: 'food', providerKind: 'ngo', startDate: '2023-05-01', status: 'ongoing' });
    for (const code of Object.keys(victims)) {
      await h.post(agency[code], 'victims', victims[code]);
      await h.post(agency[code], 'assistance', services[code]);
    }
    const gone = await request(h.t.baseUrl).delete('/v1/assistance/AS-W?reason=entered_in_error').auth(agency['CEEAV-09'].token, { type: 'bearer' });
    if (gone.status !== 200) throw new Error(`withdraw: ${gone.status} ${JSON.stringify(gone.body).slice(0, 300)}`);

    // T57: INM's foreign victims: humanitarian visas granted (2023: 9, 2022: 5; 2 more only requested), repatriations in 2023
    // (4 Colombian sex-trafficking victims, 1 Guatemalan labour-trafficking victim).
    const inm = await createPrincipal(h.t, { kind: 'migration', jurisdiction: 'FED', scopes: ['victims:write'] });
    const foreign = (id: string, year: number, type: string, offense: string, nationality: string) =>
      victim(id, `${year}-04-01`, { nationality: [nationality], stateOfOrigin: 'NA', offenses: [offense], migrationEvents: [{ type, on: `${year}-05-02` }] });
    await h.post(inm, 'victims', [
      ...range(9).map((i) => foreign(`VISA23-${i}`, 2023, 'humanitarian_visa_granted', i % 2 ? 'LGT-22' : 'LGT-13', i % 2 ? 'HND' : 'VEN')),
      ...range(5).map((i) => foreign(`VISA22-${i}`, 2022, 'humanitarian_visa_granted', 'LGT-13', 'GTM')),
      ...range(2).map((i) => foreign(`REQ23-${i}`, 2023, 'humanitarian_visa_requested', 'LGT-13', 'SLV')),
      ...range(4).map((i) => foreign(`REP-${i}`, 2023, 'repatriation', 'LGT-13', 'COL')),
      foreign('REP-L', 2023, 'repatriation', 'LGT-22', 'GTM'),
    ]);
    fgr = agency.FGR;
    reader = await createPrincipal(h.t, { kind: 'oversight', scopes: ['statistics:read'] });
    none = await createPrincipal(h.t, { code: reader.agencyCode, scopes: ['cases:read'] });
  }, 600_000);
  afterAll(() => h.t.close());

  it('T56: victims receiving government or government-supported services (2023: 118 = 50 sex + 18 labour + 50 unspecified; 2022: 79 = 60 sex + 19 labour; a victim with several services counts once)', async () => {
    const r = await h.stat('assistance', 'groupBy=year,tipBucket&from=2022-01-01&to=2023-12-31');
    expect(r.unit).toBe('service_recipient');
    expect([h.margin(r, 'year', '2023'), h.margin(r, 'year', '2022')]).toEqual([118, 79]);
    expect(['sex', 'labour', 'unspecified'].map((b) => h.cell(r, { year: '2023', tipBucket: b }))).toEqual([50, 18, 50]);
    expect(['sex', 'labour', 'unspecified'].map((b) => h.cell(r, { year: '2022', tipBucket: b }))).toEqual([60, 19, 0]); // zero row
    expect(r.total.value).toBe(197);
    // The services: one per victim plus a second one for every fourth victim.
    const second = SERVED.reduce((s, [, , count]) => s + Math.ceil(count / 4), 0);
    const services = await h.stat('services', 'groupBy=year&from=2022-01-01&to=2023-12-31');
    expect(services.unit).toBe('service');
    expect(services.total.value).toBe(197 + second);
    expect(services.total.value).toBe(given.length);
    // By CEAV model stage (from the service type in catalog service-type): victims once per stage they received.
    const stages = await h.stat('assistance', 'groupBy=ceavModelStage&from=2023-01-01&to=2023-12-31');
    const expected: Record<string, number> = {};
    for (const stage of ['assistance', 'immediate_help']) expected[stage] = new Set(given.filter((g) => g.year === 2023 && g.stage === stage).map((g) => g.victim)).size;
    expect(h.byKey(stages, 'ceavModelStage')).toEqual(expected);
    expect(stages.total.value).toBe(118);
  });

  it('T57: shelters, humanitarian visas and repatriation (29 shelters = 13 trafficking + 11 gender-based violence + 5 specialised population; 5 run by specialised prosecutors; FEVIMTRA 44 places, 3 months; 4 government-funded in the State of Mexico and Mexico City; 0 trafficking shelters accept men; visas 9 in 2023, 5 in 2022; 4 foreign sex-trafficking victims repatriated in 2023)', async () => {
    const spec = await h.stat('shelters', 'groupBy=specialisation');
    expect(spec.unit).toBe('shelter');
    expect(spec.total.value).toBe(29);
    const s = h.byKey(spec, 'specialisation');
    expect([s.trafficking, s.gender_based_violence, s.indigenous_women + s.children_adolescents + s.migrants]).toEqual([13, 11, 5]);
    const operators = await h.stat('shelters', 'groupBy=operator,state');
    expect(h.margin(operators, 'operator', 'government_prosecutor')).toBe(5);
    expect(h.margin(operators, 'operator', 'state_government')).toBe(4);
    expect([h.cell(operators, { operator: 'state_government', state: '15' }), h.cell(operators, { operator: 'state_government', state: '09' })]).toEqual([2, 2]);
    expect(h.margin(operators, 'operator', 'ngo')).toBe(20); // "NGOs run most shelters"
    const men = await h.stat('shelters', 'groupBy=acceptsAdultMen,specialisation');
    expect(h.cell(men, { acceptsAdultMen: 'yes', specialisation: 'trafficking' })).toBe(0);
    expect(h.margin(men, 'acceptsAdultMen', 'yes')).toBe(1); // a migrants' shelter: the zero is not for want of data
    const boys = await h.stat('shelters', 'groupBy=boysMaxAge');
    expect(h.byKey(boys, 'boysMaxAge')).toEqual({ '13': 28, '17': 1 }); // "few shelters accept boys older than 13"
    // FEVIMTRA: one high-security shelter of a federal agency; its capacity and maximum stay are attributes of the record.
    const high = await h.stat('shelters', 'groupBy=agencyState&highSecurity=yes');
    expect(h.byKey(high, 'agencyState')).toEqual({ FED: 1 });
    const rec = await request(h.t.baseUrl).get('/v1/shelters/FEVIMTRA-1').auth(fgr.token, { type: 'bearer' });
    expect(rec.status).toBe(200);
    expect([rec.body.data.capacity, rec.body.data.maxStayDays / 30]).toEqual([44, 3]);

    const visas = await h.stat('victims', 'groupBy=year&migrationEvent=humanitarian_visa_granted');
    expect(h.byKey(visas, 'year')).toEqual({ '2023': 9, '2022': 5 });
    const events = await h.stat('victims', 'groupBy=migrationEvent&from=2023-01-01&to=2023-12-31&agencyKind=migration');
    expect(h.byKey(events, 'migrationEvent')).toEqual({ humanitarian_visa_granted: 9, humanitarian_visa_requested: 2, repatriation: 5 });
    const repatriated = await h.stat('victims', 'groupBy=nationality&migrationEvent=repatriation&tipBucket=sex&from=2023-01-01&to=2023-12-31');
    expect(repatriated.rows.filter((x) => x.key.nationality !== 'MEX').reduce((n, x) => n + (x.value ?? 0), 0)).toBe(4);
    expect(repatriated.total.value).toBe(4);
  });

  it('the shelter and service measures need statistics:read (401 / 403), suppress small cells without statistics:exact, and reject dimensions they do not have (422); shelters as of an earlier instant', async () => {
    expect((await request(h.t.baseUrl).get('/v1/statistics/shelters')).status).toBe(401);
    for (const m of ['shelters', 'supervisory-visits', 'shelter-stays', 'sheltered-victims', 'assistance', 'services']) {
      const res = await request(h.t.baseUrl).get(`/v1/statistics/${m}`).auth(none.token, { type: 'bearer' });
      expect({ m, status: res.status }).toEqual({ m, status: 403 });
    }
    const exact = await h.stat('shelters', 'groupBy=specialisation');
    const sup = await h.stat('shelters', 'groupBy=specialisation', reader);
    expect(sup.suppression.applied).toBe(true);
    const row = (r: Result, code: string) => r.rows.find((x) => x.key.specialisation === code)!;
    expect([row(exact, 'migrants').value, row(exact, 'indigenous_women').value]).toEqual([1, 2]);
    expect(row(sup, 'migrants')).toMatchObject({ value: null, suppressed: true });
    expect(row(sup, 'indigenous_women')).toMatchObject({ value: null, suppressed: true });
    expect(row(sup, 'trafficking')).toMatchObject({ value: 13, suppressed: false });
    const served = await h.stat('assistance', 'groupBy=year,tipBucket', reader);
    expect(served.suppression.applied).toBe(true);
    expect(served.rows.filter((x) => x.value !== null && x.value > 0 && x.value < 5)).toEqual([]);
    const open = await request(h.t.baseUrl).get('/v1/open-data/shelters?groupBy=specialisation');
    expect([open.status, open.body.rows.find((x: Cell) => x.key.specialisation === 'migrants').suppressed]).toEqual([200, true]);
    const bad = async (path: string) => {
      const res = await request(h.t.baseUrl).get(path).auth(h.exact.token, { type: 'bearer' });
      expect(res.status).toBe(422);
      return res.body.errors.map((e: { pointer: string }) => e.pointer);
    };
    expect(await bad('/v1/statistics/assistance?groupBy=shelterType')).toEqual(['#/groupBy']);
    expect(await bad('/v1/statistics/services?serviceStatus=lost')).toEqual(['#/serviceStatus']);
    expect(await bad('/v1/statistics/shelters?boysMaxAge=30')).toEqual(['#/boysMaxAge']);
    expect(await bad('/v1/statistics/assistance?asOf=2025-01-01')).toEqual(['#/asOf']);
    // shelters and supervisory-visits are re-computed from the record versions (R36): none before they were loaded.
    expect((await h.stat('shelters', `asOf=${beforeShelters}`)).total.value).toBe(0);
    expect((await h.stat('shelters', `asOf=${new Date().toISOString()}`)).total.value).toBe(29);
  });
});
