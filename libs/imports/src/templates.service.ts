import { Injectable } from '@nestjs/common';
import ExcelJS from 'exceljs';
import { catalogRegistry, isNullCode } from '@app/catalogs';
import type { RecordKindDefinition } from '@app/records';
import { csvLine } from './file-rows';
import { type FieldColumn, RecordKinds } from './record-kinds';
import { EXAMPLE_LOCAL_ID } from './row-mapper';

/** Rows of the data sheet that carry drop-downs (below the two header rows). */
export const TEMPLATE_ROWS = 5000;
export const CATALOG_SHEET = 'Catalogos';
export const DATA_SHEET = 'Datos';

const colName = (n: number): string => {
  let s = '';
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
};

/** An example value of a column (the example row is skipped on import). */
function example(c: FieldColumn): string {
  if (c.path === 'localId') return EXAMPLE_LOCAL_ID;
  switch (c.type) {
    case 'code': {
      const codes = catalogRegistry().allowed(c.catalog!).filter((x) => !isNullCode(x));
      return codes[0] ?? 'SI';
    }
    case 'date':
      return '14/05/2007';
    case 'integer':
    case 'number':
      return '17';
    case 'boolean':
      return 'no';
    case 'json':
      return '[]';
    default:
      return c.pii ? '' : 'texto';
  }
}

/** Import templates of a record kind: CSV and XLSX (Spanish + English headers, example row, catalog drop-downs). */
@Injectable()
export class TemplatesService {
  constructor(private readonly kinds: RecordKinds) {}

  csv(def: RecordKindDefinition<object>): string {
    const cols = this.kinds.columns(def);
    return '\ufeff' + csvLine(cols.map((c) => c.headerEs)) + csvLine(cols.map((c) => c.headerEn)) + csvLine(cols.map(example));
  }

  async xlsx(def: RecordKindDefinition<object>): Promise<Buffer> {
    const cols = this.kinds.columns(def);
    const registry = catalogRegistry();
    const wb = new ExcelJS.Workbook();
    wb.creator = 'Puente';
    const ws = wb.addWorksheet(DATA_SHEET, { views: [{ state: 'frozen', ySplit: 2 }] });
    const lists = wb.addWorksheet(CATALOG_SHEET, { state: 'hidden' });
    const help = wb.addWorksheet('Instrucciones');
    ws.addRow(cols.map((c) => c.headerEs)).font = { bold: true };
    ws.addRow(cols.map((c) => c.headerEn)).font = { italic: true, color: { argb: 'FF666666' } };
    const ex = ws.addRow(cols.map(example));
    ex.font = { italic: true, color: { argb: 'FF999999' } };
    const catalogCol = new Map<string, string>();
    cols.forEach((c, i) => {
      const letter = colName(i + 1);
      ws.getColumn(i + 1).width = Math.max(14, Math.min(40, c.headerEs.length + 4));
      // Codes stay text (Excel would turn state 09 into 9); dates are dates shown as dd/mm/yyyy.
      if (c.type === 'string' || c.type === 'code') ws.getColumn(i + 1).numFmt = '@';
      if (c.type === 'date') ws.getColumn(i + 1).numFmt = 'dd/mm/yyyy';
      if (c.type !== 'code') return;
      let ref = catalogCol.get(c.catalog!);
      if (!ref) {
        const codes = registry.allowed(c.catalog!);
        const col = colName(catalogCol.size * 2 + 1);
        const labelCol = colName(catalogCol.size * 2 + 2);
        lists.getCell(`${col}1`).value = c.catalog!;
        lists.getCell(`${labelCol}1`).value = `${c.catalog!} (etiqueta)`;
        codes.forEach((code, k) => {
          lists.getCell(`${col}${k + 2}`).value = code;
          const e = registry.entry(c.catalog!, code) as { labelEs?: string } | undefined;
          lists.getCell(`${labelCol}${k + 2}`).value = e?.labelEs ?? code;
        });
        ref = `${CATALOG_SHEET}!$${col}$2:$${col}$${codes.length + 1}`;
        catalogCol.set(c.catalog!, ref);
      }
      (ws as unknown as { dataValidations: { add(range: string, v: ExcelJS.DataValidation): void } }).dataValidations.add(`${letter}3:${letter}${TEMPLATE_ROWS + 2}`, {
        type: 'list',
        allowBlank: true,
        formulae: [ref],
        showErrorMessage: true,
        // Several codes in one cell (`MEX|GTM`) are allowed for list fields: a warning, not a stop.
        errorStyle: c.list ? 'warning' : 'stop',
        errorTitle: 'Código no válido / Invalid code',
        error: `Elija un código del catálogo ${c.catalog} / Choose a code of catalog ${c.catalog}`,
        showInputMessage: true,
        promptTitle: c.headerEs,
        prompt: c.list ? `Varios códigos separados por | / Several codes separated by |` : `Catálogo ${c.catalog}`,
      });
    });
    help.addRows([
      ['Plantilla de importación de Puente', `Tipo de registro: ${def.kind}`],
      ['1. Llene una fila por registro en la hoja Datos, a partir de la fila 4.', '1. Fill one row per record in sheet Datos, from row 4.'],
      [`2. La fila de ejemplo (ID local ${EXAMPLE_LOCAL_ID}) se ignora al importar.`, `2. The example row (local id ${EXAMPLE_LOCAL_ID}) is skipped on import.`],
      ['3. Fechas: dd/mm/aaaa. Varios códigos en una celda: sepárelos con |.', '3. Dates: dd/mm/yyyy. Several codes in one cell: separate them with |.'],
      ['4. Las columnas con lista desplegable solo aceptan códigos de catálogo.', '4. Columns with a drop-down accept catalog codes only.'],
    ]);
    help.getColumn(1).width = 80;
    help.getColumn(2).width = 80;
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
}
