// Turns an InsightResult into the cells a widget draws, and the table/CSV it shows.
import type { Comparison, InsightResult } from './api';
import { intlLocale, t, tk } from './i18n';

export interface Cell {
  keys: string[];
  labels: string[];
  value: number | null;
  suppressed: boolean;
  reason: string | null;
  cmp: Comparison | null;
}

export interface Privacy { k: number; minOrganizations: number }
export const privacy: Privacy = { k: 10, minOrganizations: 5 };

/** Bucket order per dimension, from the catalog (codes in order). */
export const bucketOrder = new Map<string, string[]>();

export function cellsOf(result: InsightResult, metric = 'BUYERS'): Cell[] {
  const cells = result.rows.map((row) => {
    const m = row.metrics.find((x) => x.metric === metric) ?? row.metrics[0];
    const cmp = m?.comparisons?.find((c) => c.kind === 'BENCHMARK') ?? null;
    return {
      keys: row.dimensions.map((d) => d.value ?? ''),
      labels: row.dimensions.map((d) => d.label ?? d.value ?? ''),
      value: m?.suppressed ? null : (m?.value ?? null),
      suppressed: Boolean(m?.suppressed),
      reason: m?.reason ?? null,
      cmp,
    };
  });
  const dims = result.rows[0]?.dimensions.map((d) => d.dimension) ?? [];
  const rank = (dim: string, code: string): number | string => {
    const order = bucketOrder.get(dim);
    if (order && order.includes(code)) return order.indexOf(code);
    if (/^\d+$/.test(code)) return Number(code);
    return code === 'unknown' ? '\uffff' : code;
  };
  cells.sort((a, b) => {
    for (let i = 0; i < dims.length; i++) {
      const ra = rank(dims[i], a.keys[i]);
      const rb = rank(dims[i], b.keys[i]);
      if (ra < rb) return -1;
      if (ra > rb) return 1;
    }
    return 0;
  });
  return cells;
}

export function reasonText(reason: string | null): string {
  return tk(`reason_${reason ?? 'BELOW_THRESHOLD'}`, { k: privacy.k, m: privacy.minOrganizations });
}

/** What a suppressed value shows: "<10" under the buyer threshold, otherwise "hidden". */
export function suppressedMark(reason: string | null): string {
  return !reason || reason === 'BELOW_THRESHOLD' || reason === 'POPULATION_BELOW_THRESHOLD'
    ? `<${privacy.k}`
    : t('suppressedShort');
}

export function fmtNumber(v: number | null | undefined, digits = 0): string {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return new Intl.NumberFormat(intlLocale(), { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(v);
}
export function fmtPct(share: number | null | undefined, digits = 1): string {
  if (share === null || share === undefined) return '–';
  return `${fmtNumber(share * 100, digits)} %`;
}

export function hasComparisons(cells: Cell[]): boolean {
  return cells.some((c) => c.cmp !== null);
}

/** The table a widget shows (and exports): header and rows of text, plus raw values for the CSV. */
export interface Table {
  header: string[];
  rows: {
    text: string[];
    csv: (string | number)[];
    suppressed: boolean;
    reason: string | null;
    /** Per column: the reason a value in it is hidden (rows of several metrics); else the row's reason marks it. */
    hidden?: (string | null)[];
  }[];
}

export function tableOf(cells: Cell[], dimHeaders: string[], valueHeader: string): Table {
  const cmp = hasComparisons(cells);
  const anySuppressed = cells.some((c) => c.suppressed || c.cmp?.suppressed);
  const header = [...dimHeaders, valueHeader];
  if (cmp) header.push(`${t('ownShare')} (%)`, `${t('peerShare')} (%)`, t('index'));
  if (anySuppressed) header.push(t('note'));
  const rows = cells.map((c) => {
    const text: string[] = [...c.labels];
    const csv: (string | number)[] = [...c.labels];
    if (c.suppressed) {
      text.push(suppressedMark(c.reason));
      csv.push(suppressedMark(c.reason));
    } else {
      text.push(fmtNumber(c.value));
      csv.push(c.value ?? '');
    }
    if (cmp) {
      if (c.cmp && !c.cmp.suppressed) {
        text.push(fmtPct(c.cmp.share), fmtPct(c.cmp.peerShare), fmtNumber(c.cmp.index));
        csv.push(round(c.cmp.share, 100, 2), round(c.cmp.peerShare, 100, 2), round(c.cmp.index, 1, 0));
      } else {
        const mark = c.cmp ? suppressedMark(c.cmp.reason) : '–';
        text.push(c.suppressed ? '–' : fmtPct(c.cmp?.share ?? null), mark, mark);
        csv.push(c.suppressed ? '' : round(c.cmp?.share ?? null, 100, 2), mark, mark);
      }
    }
    if (anySuppressed) {
      const why = c.suppressed ? reasonText(c.reason) : c.cmp?.suppressed ? `${t('peerShare')}: ${reasonText(c.cmp.reason)}` : '';
      text.push(why);
      csv.push(why);
    }
    return { text, csv, suppressed: c.suppressed, reason: c.reason };
  });
  return { header, rows };
}

function round(v: number | null | undefined, factor: number, digits: number): number | string {
  if (v === null || v === undefined) return '';
  return Number((v * factor).toFixed(digits));
}

export function toCsv(table: Table): string {
  const esc = (v: string | number) => {
    const s = String(v);
    return /[",\n;]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [table.header, ...table.rows.map((r) => r.csv)].map((r) => r.map(esc).join(',')).join('\r\n') + '\r\n';
}
