/**
 * Units of measure: codes of UN/ECE Recommendation 20 ("Codes for Units of Measure Used in
 * International Trade"), the list e-invoicing (EN 16931, UBL) and EDI use, with the everyday
 * names people type. Offers and tenders may name a unit either way; the fulfilment context
 * records the code, so that a delivery, a receipt and an invoice of one line cannot disagree.
 */
export interface UnitOfMeasure {
  code: string;
  name: string;
  /** Other names accepted in requests (case-insensitive). */
  aliases: readonly string[];
}

export const UNITS: readonly UnitOfMeasure[] = [
  { code: 'H87', name: 'piece', aliases: ['pieces', 'pc', 'pcs'] },
  { code: 'C62', name: 'one', aliases: ['unit', 'units', 'each', 'ea'] },
  { code: 'SET', name: 'set', aliases: ['sets'] },
  { code: 'PR', name: 'pair', aliases: ['pairs'] },
  { code: 'XPK', name: 'pack', aliases: ['package', 'packs'] },
  { code: 'E48', name: 'service unit', aliases: ['job', 'jobs', 'service', 'line'] },
  { code: 'GRM', name: 'gram', aliases: ['g'] },
  { code: 'KGM', name: 'kilogram', aliases: ['kg'] },
  { code: 'TNE', name: 'tonne', aliases: ['t', 'tonnes', 'metric ton'] },
  { code: 'MMT', name: 'millimetre', aliases: ['mm'] },
  { code: 'MTR', name: 'metre', aliases: ['m', 'meter', 'metres'] },
  { code: 'KMT', name: 'kilometre', aliases: ['km'] },
  { code: 'MTK', name: 'square metre', aliases: ['m2', 'sqm'] },
  { code: 'MTQ', name: 'cubic metre', aliases: ['m3'] },
  { code: 'LTR', name: 'litre', aliases: ['l', 'liter', 'litres'] },
  { code: 'KWH', name: 'kilowatt hour', aliases: [] },
  { code: 'MWH', name: 'megawatt hour', aliases: [] },
  { code: 'HUR', name: 'hour', aliases: ['h', 'hours'] },
  { code: 'DAY', name: 'day', aliases: ['days'] },
  { code: 'MON', name: 'month', aliases: ['months'] },
];

const BY_NAME = new Map<string, string>();
for (const u of UNITS) for (const n of [u.code, u.name, ...u.aliases]) BY_NAME.set(n.toLowerCase(), u.code);

/** Every name a request may use for a unit: codes, names and aliases. */
export const UNIT_NAMES: readonly string[] = [...BY_NAME.keys()];

/** The Recommendation 20 code of a unit name or code ("t" -> "TNE"), or null when it is not on the list. */
export function unitCode(unit: string): string | null {
  return BY_NAME.get(unit.trim().toLowerCase()) ?? null;
}
