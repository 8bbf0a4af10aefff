/**
 * The public dashboard: one static page, no build step. It reads only the open-data endpoints (suppressed
 * figures): victims by offense, by offense and year, by sex and age group, investigation files by state,
 * the referral funnel and response times; filters (year, sex, state), CSV downloads of every chart, Spanish
 * by default with English. Every bar carries data-key / data-value so a test can read the chart.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Puente · Estadísticas de trata de personas</title>
<style>
 body{font-family:system-ui,sans-serif;margin:1.5rem auto;max-width:72rem;padding:0 1rem;color:#1b1b1b}
 h1{font-size:1.4rem} h2{font-size:1.05rem;margin:0 0 .4rem}
 .grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(32rem,1fr));gap:1.2rem}
 section{border:1px solid #ddd;border-radius:.4rem;padding:.8rem 1rem}
 table{border-collapse:collapse;width:100%;font-size:.85rem} th,td{border-bottom:1px solid #eee;padding:.2rem .4rem;text-align:left}
 td.n{text-align:right;font-variant-numeric:tabular-nums;width:5rem} td.bar{width:45%} .bar span{display:block;height:.75rem;background:#2a6f97;border-radius:2px}
 .bar span.f{background:#a23b72} .bar span.m{background:#2a6f97} .bar span.o{background:#888}
 .meta{color:#555;font-size:.85rem} .sup{color:#999;font-style:italic}
 form{display:flex;gap:1rem;align-items:end;flex-wrap:wrap;margin:.8rem 0;padding:.6rem;background:#f4f6f8;border-radius:.4rem}
 a.csv{font-size:.8rem;float:right}
</style>
</head>
<body>
<h1 data-i18n="title">Víctimas de los delitos de la Ley General en materia de trata de personas</h1>
<form id="filters">
 <label><span data-i18n="year">Año</span> <select id="year" name="year"><option value="" data-i18n="all">Todos</option></select></label>
 <label><span data-i18n="sex">Sexo</span> <select id="sex" name="sex"><option value="" data-i18n="all">Todos</option>
  <option value="female" data-i18n="female">Mujer</option><option value="male" data-i18n="male">Hombre</option><option value="SI" data-i18n="unknown">Sin información</option></select></label>
 <label><span data-i18n="state">Entidad</span> <select id="state" name="state"><option value="" data-i18n="all">Todas</option></select></label>
 <label><span data-i18n="lang">Idioma</span> <select id="lang"><option value="es">Español</option><option value="en">English</option></select></label>
</form>
<p class="meta" id="meta"></p>
<div class="grid">
<section><a class="csv" id="csv-offense" data-i18n="csv" href="#">Descargar CSV</a><h2 data-i18n="byOffense">Víctimas por delito</h2><table id="t-offense"></table></section>
<section><a class="csv" id="csv-year" data-i18n="csv" href="#">Descargar CSV</a><h2 data-i18n="byOffenseYear">Víctimas por delito y año</h2><table id="t-year"></table></section>
<section><a class="csv" id="csv-sex" data-i18n="csv" href="#">Descargar CSV</a><h2 data-i18n="bySex">Víctimas por sexo y grupo de edad</h2><table id="t-sex"></table></section>
<section><a class="csv" id="csv-state" data-i18n="csv" href="#">Descargar CSV</a><h2 data-i18n="byState">Carpetas de investigación por entidad federativa</h2><table id="t-state"></table></section>
<section><a class="csv" id="csv-funnel" data-i18n="csv" href="#">Descargar CSV</a><h2 data-i18n="funnel">Canalizaciones entre instituciones</h2><table id="t-funnel"></table></section>
<section><h2 data-i18n="times">Tiempos de respuesta de las canalizaciones (horas)</h2><table id="t-times"></table></section>
</div>
<p class="meta" id="note"></p>
<script>
const T = {
 es: { title: 'Víctimas de los delitos de la Ley General en materia de trata de personas', year: 'Año', sex: 'Sexo', state: 'Entidad', all: 'Todos', lang: 'Idioma',
   female: 'Mujer', male: 'Hombre', unknown: 'Sin información',
   byOffense: 'Víctimas por delito', byOffenseYear: 'Víctimas por delito y año', bySex: 'Víctimas por sexo y grupo de edad',
   byState: 'Carpetas de investigación por entidad federativa', funnel: 'Canalizaciones entre instituciones', times: 'Tiempos de respuesta de las canalizaciones (horas)',
   csv: 'Descargar CSV', total: 'Total (cada víctima una vez)', suppressed: 'reservado', asOf: 'Corte de datos', unit: 'Unidad', agencies: 'Instituciones que aportan',
   urgencies: { immediate: 'Inmediata', urgent: 'Urgente', routine: 'Ordinaria' }, urgency: 'Urgencia', step: 'Paso', median: 'Mediana', p90: 'Percentil 90', n: 'n', acknowledge: 'Acuse de recibo', respond: 'Respuesta', close: 'Cierre', allUrgencies: 'Todas',
   none: 'Sin datos',
   note: 'Una víctima de dos delitos cuenta una vez en el total y una vez en cada delito: las filas no suman el total. Las cifras menores a {t} se reservan (y una complementaria).' },
 en: { title: 'Victims of General Law trafficking offenses', year: 'Year', sex: 'Sex', state: 'State', all: 'All', lang: 'Language',
   female: 'Female', male: 'Male', unknown: 'Unknown',
   byOffense: 'Victims by offense', byOffenseYear: 'Victims by offense and year', bySex: 'Victims by sex and age group',
   byState: 'Investigation files by state', funnel: 'Referrals between agencies', times: 'Referral response times (hours)',
   csv: 'Download CSV', total: 'Total (each victim once)', suppressed: 'withheld', asOf: 'Data cut-off', unit: 'Unit', agencies: 'Contributing agencies',
   urgencies: { immediate: 'Immediate', urgent: 'Urgent', routine: 'Routine' }, urgency: 'Urgency', step: 'Step', median: 'Median', p90: '90th percentile', n: 'n', acknowledge: 'Acknowledge', respond: 'Respond', close: 'Close', allUrgencies: 'All',
   none: 'No data',
   note: 'A victim of two offenses counts once in the total and once per offense: rows do not add up to the total. Figures below {t} are withheld (plus a complementary one).' },
};
const $ = (id) => document.getElementById(id);
const lang = () => $('lang').value;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
let loads = 0;
function params(groupBy, opts) {
  const p = new URLSearchParams(groupBy ? { groupBy } : {});
  const y = $('year').value;
  if (y) { p.set('from', y + '-01-01'); p.set('to', y + '-12-31'); }
  if (opts.sex && $('sex').value) p.set('sex', $('sex').value);
  if (opts.state && $('state').value) p.set('state', $('state').value);
  return p;
}
const valueCell = (r, t) => r.suppressed ? '<span class="sup">' + t.suppressed + '</span>' : r.value;
const cls = (k) => k === 'female' ? 'f' : k === 'male' ? 'm' : 'o';
/** Ranked bars: one row per cell (zeros hidden unless everything is zero). */
function bars(el, data, sort) {
  const l = lang(), t = T[l];
  let rows = data.rows.filter((r) => r.value !== 0);
  if (sort) rows = rows.slice().sort((a, b) => (b.value || 0) - (a.value || 0));
  const max = Math.max(1, ...rows.map((r) => r.value || 0));
  const body = rows.map((r) => {
    const key = data.groupBy.map((d) => r.key[d]).join('|');
    return '<tr data-key="' + esc(key) + '" data-value="' + (r.suppressed ? '' : r.value) + '">' +
      data.groupBy.map((d) => '<td>' + esc(r.labels[d] ? r.labels[d][l] : r.key[d]) + '</td>').join('') +
      '<td class="bar"><span class="' + cls(r.key.sex) + '" style="width:' + (100 * (r.value || 0) / max) + '%"></span></td>' +
      '<td class="n">' + valueCell(r, t) + '</td></tr>';
  }).join('');
  const total = '<tr class="total"><th colspan="' + (data.groupBy.length + 1) + '">' + t.total + '</th><td class="n" data-total="' +
    (data.total.suppressed ? '' : data.total.value) + '">' + valueCell(data.total, t) + '</td></tr>';
  el.innerHTML = (body || '<tr><td>' + t.none + '</td></tr>') + total;
}
/** Offense × year: offenses as rows, years as columns (offenses with some victims only). */
function crossTable(el, data) {
  const l = lang(), t = T[l];
  const years = [...new Set(data.rows.map((r) => r.key.year))].filter((y) => data.rows.some((r) => r.key.year === y && r.value !== 0));
  const offenses = [...new Set(data.rows.map((r) => r.key.offense))].filter((o) => data.rows.some((r) => r.key.offense === o && r.value !== 0));
  const cell = (o, y) => data.rows.find((r) => r.key.offense === o && r.key.year === y);
  const head = '<tr><th></th>' + years.map((y) => '<th>' + esc(y) + '</th>').join('') + '</tr>';
  const body = offenses.map((o) => {
    const first = data.rows.find((r) => r.key.offense === o);
    return '<tr><td>' + esc(first.labels.offense ? first.labels.offense[l] : o) + '</td>' + years.map((y) => {
      const c = cell(o, y);
      return '<td class="n" data-key="' + esc(o + '|' + y) + '" data-value="' + (c.suppressed ? '' : c.value) + '">' + valueCell(c, t) + '</td>';
    }).join('') + '</tr>';
  }).join('');
  el.innerHTML = years.length ? head + body : '<tr><td>' + t.none + '</td></tr>';
}
function funnel(elF, elT, data) {
  const l = lang(), t = T[l];
  const max = Math.max(1, ...data.stages.map((s) => s.value || 0));
  elF.innerHTML = data.stages.map((s) => '<tr data-key="' + esc(s.stage) + '" data-value="' + (s.suppressed ? '' : s.value) + '"><td>' + esc(s.label[l]) + '</td>' +
    '<td class="bar"><span style="width:' + (100 * (s.value || 0) / max) + '%"></span></td><td class="n">' + valueCell(s, t) + '</td></tr>').join('');
  const fmt = (v) => v === null ? '<span class="sup">—</span>' : v;
  elT.innerHTML = '<tr><th>' + t.urgency + '</th><th>' + t.step + '</th><th>' + t.n + '</th><th>' + t.median + '</th><th>' + t.p90 + '</th></tr>' +
    data.responseTimes.map((r) => '<tr data-key="' + esc(r.urgency + '|' + r.step) + '"><td>' + esc(r.urgency === 'all' ? t.allUrgencies : (t.urgencies[r.urgency] || r.urgency)) + '</td><td>' + t[r.step] +
      '</td><td class="n">' + fmt(r.n) + '</td><td class="n">' + fmt(r.medianHours) + '</td><td class="n">' + fmt(r.p90Hours) + '</td></tr>').join('');
}
async function get(path, p) {
  const res = await fetch(path + '?' + p, { headers: { accept: 'application/json' } });
  return res.json();
}
function csvLink(id, path, p) {
  const q = new URLSearchParams(p);
  q.set('format', 'csv');
  $(id).href = path + '?' + q;
}
async function load() {
  const l = lang(), t = T[l];
  document.body.dataset.loaded = 'false';
  document.documentElement.lang = l;
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t[e.dataset.i18n]; });
  const specs = [
    ['offense', '/v1/open-data/victims', 'offense', { sex: true }, (d) => bars($('t-offense'), d, true)],
    ['year', '/v1/open-data/victims', 'offense,year', { sex: true }, (d) => crossTable($('t-year'), d)],
    ['sex', '/v1/open-data/victims', 'sex,ageGroup', { sex: true }, (d) => bars($('t-sex'), d, false)],
    ['state', '/v1/open-data/cases', 'state', { state: true }, (d) => bars($('t-state'), d, true)],
    ['funnel', '/v1/open-data/referral-funnel', '', { state: true }, (d) => funnel($('t-funnel'), $('t-times'), d)],
  ];
  const results = await Promise.all(specs.map(async ([id, path, groupBy, opts, draw]) => {
    const p = params(groupBy, opts);
    const data = await get(path, p);
    draw(data);
    csvLink('csv-' + id, path, p);
    return data;
  }));
  // The state filter lists the states with investigation files (from the unfiltered chart).
  if ($('state').options.length === 1) {
    for (const r of results[3].rows) if (/^\\d\\d$/.test(r.key.state)) $('state').insertAdjacentHTML('beforeend', '<option value="' + esc(r.key.state) + '">' + esc(r.labels.state ? r.labels.state.es : r.key.state) + '</option>');
  }
  const d = results[0];
  $('meta').textContent = t.asOf + ': ' + d.asOf + ' · ' + t.unit + ': ' + d.unitLabel[l] + ' · ' + t.agencies + ': ' + d.contributingAgencies;
  $('note').textContent = t.note.replace('{t}', d.suppression.threshold);
  document.body.dataset.loads = String(++loads);
  document.body.dataset.loaded = 'true';
}
const y0 = new Date().getFullYear();
for (let y = y0; y >= y0 - 15; y--) $('year').insertAdjacentHTML('beforeend', '<option value="' + y + '">' + y + '</option>');
for (const id of ['year', 'sex', 'state', 'lang']) $(id).addEventListener('change', load);
load();
</script>
</body>
</html>
`;
