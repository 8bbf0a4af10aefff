/**
 * The public dashboard: one static page, no build step. It reads only the open-data endpoint
 * (suppressed figures) and shows victims by offense, by sex and age group, and cases by state,
 * with a year filter, Spanish/English labels and CSV download links.
 */
export const DASHBOARD_HTML = `<!doctype html>
<html lang="es">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Puente · Estadísticas de trata de personas</title>
<style>
 body{font-family:system-ui,sans-serif;margin:1.5rem;max-width:70rem;color:#1b1b1b}
 h1{font-size:1.4rem} h2{font-size:1.1rem;margin-top:2rem}
 table{border-collapse:collapse;width:100%;font-size:.9rem} th,td{border-bottom:1px solid #ddd;padding:.25rem .5rem;text-align:left}
 td.n{text-align:right;font-variant-numeric:tabular-nums;width:6rem} td.bar{width:40%} .bar span{display:block;height:.8rem;background:#2a6f97}
 .meta{color:#555;font-size:.85rem} .sup{color:#999}
 form{display:flex;gap:1rem;align-items:end;flex-wrap:wrap}
</style>
</head>
<body>
<h1 data-i18n="title">Víctimas de los delitos de la Ley General en materia de trata de personas</h1>
<form id="filters">
 <label><span data-i18n="year">Año</span> <select id="year" name="year"><option value="" data-i18n="all">Todos</option></select></label>
 <label><span data-i18n="lang">Idioma</span> <select id="lang"><option value="es">Español</option><option value="en">English</option></select></label>
</form>
<p class="meta" id="meta"></p>
<section><h2 data-i18n="byOffense">Víctimas por delito</h2><a id="csv-offense" data-i18n="csv" href="#">Descargar CSV</a><table id="t-offense"></table></section>
<section><h2 data-i18n="bySex">Víctimas por sexo y grupo de edad</h2><a id="csv-sex" data-i18n="csv" href="#">Descargar CSV</a><table id="t-sex"></table></section>
<section><h2 data-i18n="byState">Carpetas de investigación por entidad federativa</h2><a id="csv-state" data-i18n="csv" href="#">Descargar CSV</a><table id="t-state"></table></section>
<p class="meta" id="note"></p>
<script>
const T = {
 es: { title: 'Víctimas de los delitos de la Ley General en materia de trata de personas', year: 'Año', all: 'Todos', lang: 'Idioma',
   byOffense: 'Víctimas por delito', bySex: 'Víctimas por sexo y grupo de edad', byState: 'Carpetas de investigación por entidad federativa',
   csv: 'Descargar CSV', total: 'Total (cada víctima una vez)', suppressed: 'reservado', asOf: 'Corte de datos', unit: 'Unidad', agencies: 'Instituciones que aportan',
   note: 'Una víctima de dos delitos cuenta una vez en el total y una vez en cada delito: las filas no suman el total. Las cifras menores a {t} se reservan (y una complementaria).' },
 en: { title: 'Victims of General Law trafficking offenses', year: 'Year', all: 'All', lang: 'Language',
   byOffense: 'Victims by offense', bySex: 'Victims by sex and age group', byState: 'Investigation files by state',
   csv: 'Download CSV', total: 'Total (each victim once)', suppressed: 'withheld', asOf: 'Data cut-off', unit: 'Unit', agencies: 'Contributing agencies',
   note: 'A victim of two offenses counts once in the total and once per offense: rows do not add up to the total. Figures below {t} are withheld (plus a complementary one).' },
};
const $ = (id) => document.getElementById(id);
const lang = () => $('lang').value;
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
function query(groupBy) {
  const p = new URLSearchParams({ groupBy });
  const y = $('year').value;
  if (y) { p.set('from', y + '-01-01'); p.set('to', y + '-12-31'); }
  return p;
}
function table(el, data) {
  const l = lang(), t = T[l];
  const max = Math.max(1, ...data.rows.map((r) => r.value || 0));
  const head = '<tr>' + data.groupBy.map((d) => '<th>' + esc(d) + '</th>').join('') + '<th></th><th>n</th></tr>';
  const body = data.rows.map((r) => '<tr data-key="' + esc(data.groupBy.map((d) => r.key[d]).join('|')) + '">' +
    data.groupBy.map((d) => '<td>' + esc(r.labels[d] ? r.labels[d][l] : r.key[d]) + '</td>').join('') +
    '<td class="bar"><span style="width:' + (100 * (r.value || 0) / max) + '%"></span></td>' +
    '<td class="n">' + (r.suppressed ? '<span class="sup">' + t.suppressed + '</span>' : r.value) + '</td></tr>').join('');
  const total = '<tr class="total"><th colspan="' + (data.groupBy.length + 1) + '">' + t.total + '</th><td class="n">' +
    (data.total.suppressed ? t.suppressed : data.total.value) + '</td></tr>';
  el.innerHTML = head + body + total;
}
async function load() {
  const l = lang(), t = T[l];
  document.documentElement.lang = l;
  document.querySelectorAll('[data-i18n]').forEach((e) => { e.textContent = t[e.dataset.i18n]; });
  const specs = [['offense', 'victims', 'offense'], ['sex', 'victims', 'sex,ageGroup'], ['state', 'cases', 'state']];
  const results = await Promise.all(specs.map(async ([id, measure, groupBy]) => {
    const q = query(groupBy);
    const res = await fetch('/v1/open-data/' + measure + '?' + q, { headers: { accept: 'application/json' } });
    const data = await res.json();
    table($('t-' + id), data);
    q.set('format', 'csv');
    $('csv-' + id).href = '/v1/open-data/' + measure + '?' + q;
    return data;
  }));
  const d = results[0];
  $('meta').textContent = t.asOf + ': ' + d.asOf + ' · ' + t.unit + ': ' + d.unitLabel[l] + ' · ' + t.agencies + ': ' + d.contributingAgencies;
  $('note').textContent = t.note.replace('{t}', d.suppression.threshold);
  document.body.dataset.loaded = 'true';
}
const y0 = new Date().getFullYear();
for (let y = y0; y >= y0 - 15; y--) $('year').insertAdjacentHTML('beforeend', '<option value="' + y + '">' + y + '</option>');
$('year').addEventListener('change', load);
$('lang').addEventListener('change', load);
load();
</script>
</body>
</html>
`;
