// Tab "Loyalty and reach": the table (and CSV) and the chart of each widget, and its KPI boxes.
// Widgets: returning vs first-time buyers by month, frequency and spend bands, the lead-time curve,
// buyers per 1,000 inhabitants by the buyers' region, the audience-vs-population index, like-for-like growth.
// Every number comes from the API (docs/queries/loyalty_tab.graphql, growth_like_for_like.graphql).
import * as echarts from 'echarts/core';
import { MarkLineComponent } from 'echarts/components';
import type { Comparison, InsightResult, MetricValue, Row } from './api';
import { OKABE_ITO, OWN_COLOR, PEER_COLOR } from './charts';
import type { Chart } from './charts';
import { h } from './dom';
import { t } from './i18n';
import type { Key } from './i18n';
import { bucketOrder, cellsOf, fmtNumber, fmtPct, reasonText, suppressedMark } from './model';
import type { Table } from './model';
import { drawTileMap } from './tilemap';

echarts.use([MarkLineComponent]);

export type LoyaltyKind = 'returning' | 'shares' | 'leadCurve' | 'reachMap' | 'audience' | 'growth';
export const LOYALTY_KINDS: readonly string[] = ['returning', 'shares', 'leadCurve', 'reachMap', 'audience', 'growth'];
export const LOYALTY_KPIS = ['RETURNING_SHARE', 'FIRST_TIME_BUYERS', 'RETURNING_BUYERS', 'AVG_LEAD_TIME_DAYS'] as const;
export const GROWTH_METRICS = ['BUYERS', 'TICKETS'] as const;

export interface Period { from: string; to: string }
export interface GrowthInput {
  /** The request's main answer: the network, or the member's own organization in scope OWN. */
  main: InsightResult;
  mainLabel: string;
  /** The network's like-for-like growth next to a member's own (its benchmark); null otherwise. */
  market: InsightResult | null;
  marketLabel: string;
  period: Period;
  prior: Period;
}
export interface LoyaltyCtx {
  dim: string;
  dimLabel(dim: string): string;
  regionLabels: Map<string, string>;
  countryFilter: string | null;
  growth?: GrowthInput;
}
/** What main.ts needs to show a widget: its table (and CSV), notes, and how to draw it. */
export interface Built {
  table: Table;
  labelColumns: number;
  suppressed: number;
  empty: boolean;
  notes: string[];
  draw(el: HTMLElement, chart: () => Chart): void;
  /** An HTML map (no ECharts instance). */
  html?: boolean;
}

// ---------------------------------------------------------------------------------------------
// cells of a table
interface Col { text: string; csv: string | number; hidden: string | null }
const metric = (row: Row, name: string): MetricValue | undefined => row.metrics.find((m) => m.metric === name);
const bench = (m: MetricValue | undefined): Comparison | null => m?.comparisons?.find((c) => c.kind === 'BENCHMARK') ?? null;
const hasBench = (rows: Row[], name: string): boolean => rows.some((r) => bench(metric(r, name)) !== null);
const round = (v: number, digits: number): number => Number(v.toFixed(digits));

function col(m: MetricValue | undefined, kind: 'count' | 'pct' | 'dec' | 'idx', missing = '–'): Col {
  if (!m) return { text: '–', csv: '', hidden: null };
  if (m.suppressed) return { text: suppressedMark(m.reason), csv: suppressedMark(m.reason), hidden: m.reason ?? 'BELOW_THRESHOLD' };
  return num(m.value, kind, missing);
}
function num(v: number | null | undefined, kind: 'count' | 'pct' | 'dec' | 'idx', missing = '–'): Col {
  if (v === null || v === undefined) return { text: missing, csv: '', hidden: null };
  if (kind === 'pct') return { text: fmtPct(v), csv: round(v * 100, 2), hidden: null };
  if (kind === 'dec') return { text: fmtNumber(v, 2), csv: round(v, 3), hidden: null };
  if (kind === 'idx') return { text: fmtNumber(v), csv: round(v, 1), hidden: null };
  return { text: fmtNumber(v), csv: round(v, 2), hidden: null };
}
/** A comparison's column: the peers' value (or share), its index. */
function cmpCol(c: Comparison | null, pick: (c: Comparison) => number | null | undefined, kind: 'count' | 'pct' | 'dec' | 'idx'): Col {
  if (!c) return { text: '–', csv: '', hidden: null };
  if (c.suppressed) return { text: suppressedMark(c.reason), csv: suppressedMark(c.reason), hidden: c.reason ?? 'BELOW_THRESHOLD' };
  return num(pick(c), kind);
}
const text = (s: string): Col => ({ text: s, csv: s, hidden: null });

/** A table from rows of columns; a note column with every reason when anything is hidden. */
function makeTable(header: string[], rows: { cols: Col[]; own: MetricValue | undefined; extraNote?: string }[]): Table {
  const anyNote = rows.some((r) => r.cols.some((c) => c.hidden) || r.extraNote);
  const out: Table = { header: anyNote ? [...header, t('note')] : [...header], rows: [] };
  for (const r of rows) {
    const hidden = r.cols.map((c) => c.hidden);
    const notes = [...new Set(hidden.filter((x): x is string => x !== null))].map((reason) => reasonText(reason));
    if (r.extraNote) notes.unshift(r.extraNote);
    const row = {
      text: r.cols.map((c) => c.text), csv: r.cols.map((c) => c.csv),
      suppressed: Boolean(r.own?.suppressed), reason: r.own?.reason ?? null, hidden,
    };
    if (anyNote) {
      row.text.push(notes.join(' '));
      row.csv.push(notes.join(' '));
      row.hidden.push(null);
    }
    out.rows.push(row);
  }
  return out;
}

function tooltipOf(table: Table, i: number): string {
  const row = table.rows[i];
  if (!row) return '';
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
  const labels = table.header.findIndex((_, j) => typeof row.csv[j] === 'number' || row.hidden?.[j]);
  const first = Math.max(1, labels);
  const title = row.text.slice(0, first).join(' · ');
  const lines = table.header.slice(first).map((hd, j) => (row.text[first + j] ? `${esc(hd)}: ${esc(row.text[first + j])}` : '')).filter(Boolean);
  return `<strong>${esc(title)}</strong><br>${lines.join('<br>')}`;
}

// ---------------------------------------------------------------------------------------------
// one chart for every widget: bars and lines over categories, hidden values hatched with their mark
const HATCH = { symbol: 'rect', symbolSize: 1, color: 'rgba(90,90,90,0.32)', dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -Math.PI / 4 };
const AXIS_NAME = { color: '#3e4c59', fontSize: 12 };
interface Series {
  name: string;
  data: (number | null)[];
  color: string;
  type?: 'bar' | 'line';
  dashed?: boolean;
  stack?: string;
  axis?: 0 | 1;
  /** Per category: the reason the value is hidden (drawn as a hatched bar with "<10" or "hidden"). */
  hidden?: (string | null)[];
  labels?: (string | null)[];
}
interface Plot {
  categories: string[];
  categoryName: string;
  valueName: string;
  percent?: boolean;
  second?: { name: string; percent?: boolean };
  series: Series[];
  ref?: { value: number; label: string };
  description: string;
  table: Table;
  horizontal?: boolean;
}

function plot(chart: Chart, p: Plot): void {
  const visible = p.series.filter((s) => !s.axis).flatMap((s) => s.data).filter((v): v is number => v !== null);
  const band = visible.length ? Math.max(...visible.map(Math.abs)) * 0.12 || 1 : 1;
  const series: Record<string, unknown>[] = [];
  const legend: string[] = [];
  let anyHidden = false;
  const placed = new Map<string, Set<number>>();
  const many = p.categories.length > 8;
  for (const s of p.series) {
    const type = s.type ?? 'bar';
    const stack = type === 'bar' ? (s.stack ?? s.name) : undefined;
    legend.push(s.name);
    series.push({
      name: s.name, type, data: s.data, stack, yAxisIndex: s.axis ?? 0, barMaxWidth: 36,
      itemStyle: { color: s.color }, connectNulls: false,
      ...(type === 'line' ? { symbolSize: 6, lineStyle: { width: 2, color: s.color, type: s.dashed ? 'dashed' : 'solid' }, symbol: s.dashed ? 'diamond' : 'circle' } : {}),
      ...(s.dashed && type === 'bar' ? { itemStyle: { color: s.color, decal: { symbol: 'circle', symbolSize: 0.5, color: 'rgba(0,0,0,0.25)', dashArrayX: [4, 4], dashArrayY: [4, 4] } } } : {}),
      ...(s.labels ? { label: { show: true, position: p.horizontal ? 'right' : 'top', fontSize: 11, color: '#1f2933',
        formatter: (q: { dataIndex: number }) => s.labels?.[q.dataIndex] ?? '' } } : {}),
    });
    const seen = placed.get(stack ?? s.name) ?? new Set<number>();
    placed.set(stack ?? s.name, seen);
    const hiddenHere = (s.hidden ?? []).map((x, i) => (x && !seen.has(i) ? x : null));
    hiddenHere.forEach((x, i) => { if (x) seen.add(i); });
    if (hiddenHere.some((x) => x)) {
      anyHidden = true;
      series.push({
        name: t('suppressed'), type: 'bar', stack, yAxisIndex: 0, barMaxWidth: 36,
        ...(type !== 'bar' ? { barGap: '-100%' } : {}),
        data: hiddenHere.map((x) => (x ? band : null)),
        itemStyle: { color: '#f1f1f1', decal: HATCH, borderColor: '#b0b7bf', borderType: 'dashed', borderWidth: 1 },
        label: { show: true, position: p.horizontal ? 'insideLeft' : 'insideBottom', fontSize: many ? 9 : 10, color: '#3e4c59',
          ...(many && !p.horizontal ? { rotate: 90, align: 'left', verticalAlign: 'middle' } : {}),
          formatter: (q: { dataIndex: number }) => suppressedMark(hiddenHere[q.dataIndex] ?? null) },
        emphasis: { disabled: true },
      });
    }
  }
  if (anyHidden) legend.push(t('suppressed'));
  if (p.ref && series[0]) {
    series[0].markLine = { silent: true, symbol: 'none', data: [{ yAxis: p.ref.value, xAxis: p.ref.value }].map((d) => (p.horizontal ? { xAxis: d.xAxis } : { yAxis: d.yAxis })),
      lineStyle: { color: '#1f2933', type: 'dashed', width: 1.5 }, label: { formatter: p.ref.label, position: 'insideEndTop', color: '#1f2933', fontSize: 11 } };
  }
  const valueAxis = (name: string, percent?: boolean) => ({
    type: 'value', name, nameLocation: 'middle', nameGap: p.horizontal ? 28 : 50, nameTextStyle: AXIS_NAME,
    axisLabel: { formatter: (v: number) => fmtNumber(v) + (percent ? ' %' : '') }, splitLine: { lineStyle: { color: '#e4e7eb' } },
  });
  const categoryAxis = {
    type: 'category', data: p.categories, name: p.categoryName, nameLocation: 'middle', nameGap: p.horizontal ? 0 : 40,
    nameTextStyle: AXIS_NAME, inverse: Boolean(p.horizontal),
    axisLabel: p.horizontal ? { width: 170, overflow: 'truncate' }
      : p.categories.length <= 9 ? { interval: 0, width: 104, overflow: 'break', lineHeight: 13, fontSize: 11 } : { hideOverlap: true },
    axisTick: { alignWithLabel: true },
  };
  const values = [valueAxis(p.valueName, p.percent), ...(p.second ? [{ ...valueAxis(p.second.name, p.second.percent), splitLine: { show: false } }] : [])];
  chart.setOption({
    animation: false,
    aria: { enabled: true, label: { description: p.description } },
    textStyle: { color: '#1f2933', fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 10, data: legend },
    grid: p.horizontal ? { left: 180, right: 60, top: 30, bottom: 44 }
      : { left: 64, right: p.second ? 64 : 16, top: 34, bottom: p.categories.length <= 9 ? 58 : 48 },
    xAxis: p.horizontal ? values[0] : categoryAxis,
    yAxis: p.horizontal ? categoryAxis : values,
    tooltip: { confine: true, trigger: 'axis', axisPointer: { type: 'shadow' }, backgroundColor: '#fff', borderColor: '#9aa5b1',
      textStyle: { color: '#1f2933' }, formatter: (params: { dataIndex: number }[]) => tooltipOf(p.table, params[0]?.dataIndex ?? 0) },
    series,
  }, { notMerge: true });
}

const pct = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : Math.round(v * 1000) / 10);
const plain = (m: MetricValue | undefined): number | null => (m && !m.suppressed ? m.value : null);
function describe(title: string, table: Table): string {
  return `${title}: ${table.rows.map((r) => r.text.filter((x) => x).join(' ')).join('; ')}`;
}
function sortRows(rows: Row[], dims: string[]): Row[] {
  const rank = (dim: string, code: string): number | string => {
    const order = bucketOrder.get(dim);
    if (order && order.includes(code)) return order.indexOf(code);
    return code === 'unknown' ? '\uffff' : code;
  };
  return [...rows].sort((a, b) => {
    for (let i = 0; i < dims.length; i++) {
      const ra = rank(dims[i], a.dimensions[i]?.value ?? '');
      const rb = rank(dims[i], b.dimensions[i]?.value ?? '');
      if (ra < rb) return -1;
      if (ra > rb) return 1;
    }
    return 0;
  });
}
const label = (r: Row, i = 0): string => r.dimensions[i]?.label ?? r.dimensions[i]?.value ?? '';
const countHidden = (rows: Row[], names: string[]): number =>
  rows.reduce((n, r) => n + names.filter((name) => metric(r, name)?.suppressed).length, 0);

// ---------------------------------------------------------------------------------------------
// the widgets
export function buildLoyalty(kind: LoyaltyKind, result: InsightResult, ctx: LoyaltyCtx, title: string): Built {
  switch (kind) {
    case 'returning': return returning(result, title);
    case 'shares': return shares(result, ctx, title);
    case 'leadCurve': return leadCurve(result, ctx, title);
    case 'reachMap': return reachMap(result, ctx);
    case 'audience': return audience(result, title);
    case 'growth': return growth(ctx.growth as GrowthInput, title);
  }
}

function returning(result: InsightResult, title: string): Built {
  const rows = sortRows(result.rows, ['PURCHASED_AT']);
  const b = hasBench(rows, 'RETURNING_SHARE');
  const header = [t('axisMonth'), t('seriesFirstTime'), t('seriesReturning'), `${t('returningShare')} (%)`,
    ...(b ? [`${t('peerValue')} (%)`, t('indexVsPeers')] : [])];
  const table = makeTable(header, rows.map((r) => {
    const share = metric(r, 'RETURNING_SHARE');
    const c = bench(share);
    return { own: metric(r, 'RETURNING_BUYERS'), cols: [text(label(r)), col(metric(r, 'FIRST_TIME_BUYERS'), 'count'), col(metric(r, 'RETURNING_BUYERS'), 'count'),
      col(share, 'pct'), ...(b ? [cmpCol(c, (x) => x.value, 'pct'), cmpCol(c, (x) => x.index, 'idx')] : [])] };
  }));
  const hid = (name: string) => rows.map((r) => (metric(r, name)?.suppressed ? metric(r, name)?.reason ?? 'BELOW_THRESHOLD' : null));
  return {
    table, labelColumns: 1, suppressed: countHidden(rows, ['FIRST_TIME_BUYERS', 'RETURNING_BUYERS', 'RETURNING_SHARE']), empty: !rows.length, notes: [],
    draw: (_el, chart) => plot(chart(), {
      categories: rows.map((r) => label(r)), categoryName: t('axisMonth'), valueName: t('unitBuyers'), table,
      second: { name: `${t('returningShare')} (%)`, percent: true },
      description: describe(title, table),
      series: [
        { name: t('seriesFirstTime'), data: rows.map((r) => plain(metric(r, 'FIRST_TIME_BUYERS'))), color: OKABE_ITO.sky, stack: 'buyers', hidden: hid('FIRST_TIME_BUYERS') },
        { name: t('seriesReturning'), data: rows.map((r) => plain(metric(r, 'RETURNING_BUYERS'))), color: OWN_COLOR, stack: 'buyers', hidden: hid('RETURNING_BUYERS') },
        { name: t('returningShare'), type: 'line', axis: 1, data: rows.map((r) => pct(plain(metric(r, 'RETURNING_SHARE')))), color: OKABE_ITO.black },
        ...(b ? [{ name: `${t('returningShare')} · ${t('peerValue')}`, type: 'line' as const, axis: 1 as const, dashed: true, color: PEER_COLOR,
          data: rows.map((r) => { const c = bench(metric(r, 'RETURNING_SHARE')); return c && !c.suppressed ? pct(c.value) : null; }) }] : []),
      ],
    }),
  };
}

function shares(result: InsightResult, ctx: LoyaltyCtx, title: string): Built {
  const rows = sortRows(result.rows, [ctx.dim]);
  const b = hasBench(rows, 'BUYERS');
  const header = [ctx.dimLabel(ctx.dim), t('unitBuyers'), t('unitShare'), ...(b ? [`${t('peerShare')} (%)`, t('index')] : [])];
  const table = makeTable(header, rows.map((r) => {
    const c = bench(metric(r, 'BUYERS'));
    return { own: metric(r, 'BUYERS'), cols: [text(label(r)), col(metric(r, 'BUYERS'), 'count'), col(metric(r, 'BUYERS_SHARE'), 'pct'),
      ...(b ? [cmpCol(c, (x) => x.peerShare, 'pct'), cmpCol(c, (x) => x.index, 'idx')] : [])] };
  }));
  return {
    table, labelColumns: 1, suppressed: countHidden(rows, ['BUYERS']), empty: !rows.length, notes: b ? [t('indexHelp')] : [],
    draw: (_el, chart) => plot(chart(), {
      categories: rows.map((r) => label(r)), categoryName: ctx.dimLabel(ctx.dim), valueName: t('unitShare'), percent: true, table,
      description: describe(title, table),
      series: [
        { name: b ? t('ownShare') : t('unitShare'), data: rows.map((r) => pct(plain(metric(r, 'BUYERS_SHARE')))), color: OWN_COLOR,
          hidden: rows.map((r) => (metric(r, 'BUYERS')?.suppressed ? metric(r, 'BUYERS')?.reason ?? 'BELOW_THRESHOLD' : null)) },
        ...(b ? [{ name: t('peerShare'), dashed: true, color: PEER_COLOR, data: rows.map((r) => {
          const c = bench(metric(r, 'BUYERS'));
          return c && !c.suppressed ? pct(c.peerShare) : null;
        }) }] : []),
      ],
    }),
  };
}

function leadCurve(result: InsightResult, ctx: LoyaltyCtx, title: string): Built {
  const rows = sortRows(result.rows, ['LEAD_TIME']);
  const b = hasBench(rows, 'TICKETS_SHARE');
  const header = [ctx.dimLabel('LEAD_TIME'), t('unitShareTickets'), t('kpiName_TICKETS'), ...(b ? [`${t('peerShare')} (%)`, t('index')] : [])];
  const table = makeTable(header, rows.map((r) => {
    const c = bench(metric(r, 'TICKETS_SHARE'));
    return { own: metric(r, 'TICKETS_SHARE'), cols: [text(label(r)), col(metric(r, 'TICKETS_SHARE'), 'pct'), col(metric(r, 'TICKETS'), 'count'),
      ...(b ? [cmpCol(c, (x) => x.peerShare ?? x.value, 'pct'), cmpCol(c, (x) => x.index, 'idx')] : [])] };
  }));
  return {
    table, labelColumns: 1, suppressed: countHidden(rows, ['TICKETS_SHARE']), empty: !rows.length, notes: b ? [t('indexHelp')] : [],
    draw: (_el, chart) => plot(chart(), {
      categories: rows.map((r) => label(r)), categoryName: ctx.dimLabel('LEAD_TIME'), valueName: t('unitShareTickets'), percent: true, table,
      description: describe(title, table),
      series: [
        { name: b ? t('ownShare') : t('unitShareTickets'), type: 'line', data: rows.map((r) => pct(plain(metric(r, 'TICKETS_SHARE')))), color: OWN_COLOR,
          hidden: rows.map((r) => (metric(r, 'TICKETS_SHARE')?.suppressed ? metric(r, 'TICKETS_SHARE')?.reason ?? 'BELOW_THRESHOLD' : null)) },
        ...(b ? [{ name: t('peerShare'), type: 'line' as const, dashed: true, color: PEER_COLOR, data: rows.map((r) => {
          const c = bench(metric(r, 'TICKETS_SHARE'));
          return c && !c.suppressed ? pct(c.peerShare ?? c.value) : null;
        }) }] : []),
      ],
    }),
  };
}

function reachMap(result: InsightResult, ctx: LoyaltyCtx): Built {
  const cells = cellsOf(result, 'BUYERS_PER_1000_INHABITANTS');
  const rows = sortRows(result.rows, ['BUYER_REGION']);
  const b = hasBench(rows, 'BUYERS_PER_1000_INHABITANTS');
  const header = [ctx.dimLabel('BUYER_REGION'), 'ISO 3166-2', t('perThousand'), t('customersPerThousand'),
    ...(b ? [`${t('peerValue')}: ${t('perThousand').toLowerCase()}`, t('indexVsPeers')] : [])];
  const table = makeTable(header, rows.map((r) => {
    const m = metric(r, 'BUYERS_PER_1000_INHABITANTS');
    const c = bench(m);
    const noPop = Boolean(m && !m.suppressed && m.value === null);
    return { own: m, extraNote: noPop ? t('noPopulation') : undefined,
      cols: [text(label(r)), text(r.dimensions[0]?.value ?? ''), col(m, 'dec'), col(metric(r, 'CUSTOMERS_PER_1000_INHABITANTS'), 'dec'),
        ...(b ? [cmpCol(c, (x) => x.value, 'dec'), cmpCol(c, (x) => x.index, 'idx')] : [])] };
  }));
  return {
    table, labelColumns: 2, suppressed: countHidden(rows, ['BUYERS_PER_1000_INHABITANTS']), empty: !rows.length, html: true,
    notes: [t('reachNote')],
    draw: (el) => drawTileMap(el, cells, ctx.regionLabels, ctx.countryFilter, {
      format: (v) => fmtNumber(v, v >= 10 ? 0 : 1), unit: t('perThousand').toLowerCase(), legend: t('perThousand'),
      missing: t('noPopulation'), peerValues: true,
    }),
  };
}

const GENDER_COLORS: Record<string, string> = { male: OKABE_ITO.blue, female: OKABE_ITO.orange };
const PEER_GENDER_COLORS: Record<string, string> = { male: OKABE_ITO.sky, female: OKABE_ITO.vermillion };

function audience(result: InsightResult, title: string): Built {
  const known = result.rows.filter((r) => r.dimensions.every((d) => d.value && d.value !== 'unknown'));
  const rows = sortRows(known, ['AGE_GROUP', 'GENDER']);
  const b = hasBench(rows, 'AUDIENCE_INDEX');
  const header = [t('ageGroup'), t('gender'), t('audienceIndex'), t('unitBuyers'),
    ...(b ? [`${t('peerValue')}: ${t('index').toLowerCase()}`, t('indexVsPeers')] : [])];
  const table = makeTable(header, rows.map((r) => {
    const m = metric(r, 'AUDIENCE_INDEX');
    const c = bench(m);
    const noPop = Boolean(m && !m.suppressed && m.value === null);
    return { own: m, extraNote: noPop ? t('noPopulation') : undefined,
      cols: [text(label(r, 0)), text(label(r, 1)), col(m, 'idx'), col(metric(r, 'BUYERS'), 'count'),
        ...(b ? [cmpCol(c, (x) => x.value, 'idx'), cmpCol(c, (x) => x.index, 'idx')] : [])] };
  }));
  const ages: { code: string; label: string }[] = [];
  const genders: { code: string; label: string }[] = [];
  for (const r of rows) {
    if (!ages.some((a) => a.code === r.dimensions[0].value)) ages.push({ code: r.dimensions[0].value ?? '', label: label(r, 0) });
    if (!genders.some((g) => g.code === r.dimensions[1].value)) genders.push({ code: r.dimensions[1].value ?? '', label: label(r, 1) });
  }
  const find = (a: string, g: string) => rows.find((r) => r.dimensions[0].value === a && r.dimensions[1].value === g);
  const allMissing = rows.length > 0 && rows.every((r) => { const m = metric(r, 'AUDIENCE_INDEX'); return m && !m.suppressed && m.value === null; });
  const own: Series[] = [];
  const peers: Series[] = [];
  for (const g of genders) {
    own.push({ name: g.label, color: GENDER_COLORS[g.code] ?? OKABE_ITO.green,
      data: ages.map((a) => plain(metric(find(a.code, g.code) as Row, 'AUDIENCE_INDEX'))),
      hidden: ages.map((a) => { const m = find(a.code, g.code) && metric(find(a.code, g.code) as Row, 'AUDIENCE_INDEX'); return m?.suppressed ? m.reason ?? 'BELOW_THRESHOLD' : null; }) });
  }
  if (b) {
    for (const g of genders) {
      peers.push({ name: `${g.label} · ${t('peerValue')}`, dashed: true, color: PEER_GENDER_COLORS[g.code] ?? OKABE_ITO.purple,
        data: ages.map((a) => { const r = find(a.code, g.code); const c = r ? bench(metric(r, 'AUDIENCE_INDEX')) : null; return c && !c.suppressed ? c.value ?? null : null; }) });
    }
  }
  const series = own.flatMap((s, i) => (peers[i] ? [s, peers[i]] : [s]));
  return {
    table, labelColumns: 2, suppressed: countHidden(rows, ['AUDIENCE_INDEX']), empty: !rows.length,
    notes: [t('audienceHelp'), ...(allMissing ? [t('noPopulation')] : []), t('syntheticNote')],
    draw: (_el, chart) => plot(chart(), {
      categories: ages.map((a) => a.label), categoryName: t('ageGroup'), valueName: t('audienceIndex'), table: tableByAge(table, rows, ages),
      ref: { value: 100, label: t('index100') }, series, description: describe(title, table),
    }),
  };
}
/** The tooltip of an age group lists every gender's row. */
function tableByAge(table: Table, rows: Row[], ages: { code: string }[]): Table {
  return {
    header: ['', ''],
    rows: ages.map((a) => {
      const lines = rows.map((r, i) => (r.dimensions[0].value === a.code ? table.rows[i] : null)).filter((x) => x !== null);
      const first = lines[0]?.text[0] ?? '';
      return { text: [first, lines.map((l) => `${l.text[1]}: ${l.text[2]}`).join(' · ')], csv: [first, 0], suppressed: false, reason: null, hidden: [null, null] };
    }),
  };
}

function growth(g: GrowthInput, title: string): Built {
  const parts: { label: string; result: InsightResult }[] = [{ label: g.mainLabel, result: g.main }];
  if (g.market) parts.push({ label: g.marketLabel, result: g.market });
  const lines: { cols: Col[]; own: MetricValue | undefined; ratio: number | null; hidden: string | null; name: string }[] = [];
  let compared: number | null = null;
  for (const part of parts) {
    const row = part.result.rows[0];
    for (const name of GROWTH_METRICS) {
      const m = row ? metric(row, name) : undefined;
      const c = m?.comparisons?.find((x) => x.kind === 'SAME_PERIOD_LAST_YEAR' || x.kind === 'PREVIOUS_PERIOD') ?? null;
      const mLabel = t(`kpiName_${name}` as Key);
      const ratio = c && !c.suppressed && c.ratio !== null && c.ratio !== undefined ? c.ratio - 1 : null;
      if (c && c.organizationsCompared !== null && c.organizationsCompared !== undefined && part === parts[parts.length - 1]) compared = c.organizationsCompared;
      lines.push({
        name: `${mLabel} · ${part.label}`, own: c && c.suppressed ? { ...(m as MetricValue), suppressed: true, reason: c.reason } : m, ratio,
        hidden: c?.suppressed ? c.reason ?? 'BELOW_THRESHOLD' : null,
        cols: [text(part.label), text(mLabel), cmpCol(c, (x) => x.value, 'count'), cmpCol(c, (x) => x.currentValue ?? null, 'count'),
          cmpCol(c, (x) => x.delta, 'count'), c && !c.suppressed ? num(ratio === null ? null : ratio * 100, 'dec') : cmpCol(c, () => null, 'dec'),
          c && !c.suppressed ? num(c.organizationsCompared ?? null, 'count') : text(c?.organizationsCompared != null ? String(c.organizationsCompared) : '–')],
      });
    }
  }
  const header = [t('scope'), t('metric'), t('lastYearPeriod'), t('thisPeriod'), t('change'), t('growthPct'), t('orgsComparedCol')];
  const table = makeTable(header, lines.map((l) => ({ cols: l.cols, own: l.own })));
  for (const r of table.rows) r.text[5] = r.csv[5] === '' || typeof r.csv[5] !== 'number' ? r.text[5] : signed(r.csv[5]);
  const notes = [
    ...(compared !== null ? [t('orgsCompared', { n: fmtNumber(compared) })] : []),
    t('growthNote', { from: g.period.from, to: g.period.to, pfrom: g.prior.from, pto: g.prior.to }),
  ];
  return {
    table, labelColumns: 2, suppressed: lines.filter((l) => l.hidden).length, empty: !lines.length, notes,
    draw: (_el, chart) => plot(chart(), {
      categories: lines.map((l) => l.name), categoryName: '', valueName: t('growthPct'), percent: true, horizontal: true, table,
      description: describe(title, table), ref: { value: 0, label: '' },
      series: [{ name: t('growthPct'), data: lines.map((l) => (l.ratio === null ? null : Math.round(l.ratio * 1000) / 10)), color: OWN_COLOR,
        hidden: lines.map((l) => l.hidden), labels: lines.map((l) => (l.ratio === null ? null : signed(Math.round(l.ratio * 1000) / 10))) }],
    }),
  };
}
function signed(v: number): string {
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${fmtNumber(Math.abs(v), 1)} %`;
}

// ---------------------------------------------------------------------------------------------
// KPI boxes
export function loyaltyKpiBoxes(): HTMLElement {
  return h('section', { class: 'kpis loyalty-kpis', 'aria-label': 'KPI' }, ...LOYALTY_KPIS.map((k) =>
    h('div', { class: 'kpi', 'data-kpi': k, 'data-state': 'loading', tabindex: 0 },
      h('span', { class: 'kpi-label' }, t(`kpi_${k}` as Key)), h('span', { class: 'kpi-value' }, '…'), h('span', { class: 'kpi-extra' }, ''))));
}

export function renderLoyaltyKpis(result: InsightResult | null, err?: Error): void {
  const row = result?.rows[0];
  for (const name of LOYALTY_KPIS) {
    const box = document.querySelector<HTMLElement>(`.loyalty-kpis .kpi[data-kpi="${name}"]`);
    if (!box) continue;
    const valueEl = box.querySelector('.kpi-value') as HTMLElement;
    const extraEl = box.querySelector('.kpi-extra') as HTMLElement;
    box.classList.remove('suppressed');
    box.removeAttribute('title');
    extraEl.textContent = '';
    if (err) { box.dataset.state = 'error'; valueEl.textContent = '–'; box.title = err.message; continue; }
    if (!result) { box.dataset.state = 'loading'; valueEl.textContent = '…'; continue; }
    box.dataset.state = 'ready';
    const m = row ? metric(row, name) : undefined;
    if (!m || (m.value === null && !m.suppressed)) { valueEl.textContent = '–'; box.dataset.value = ''; continue; }
    if (m.suppressed) {
      box.classList.add('suppressed');
      valueEl.textContent = suppressedMark(m.reason);
      box.dataset.value = 'suppressed';
      box.title = reasonText(m.reason);
      extraEl.textContent = reasonText(m.reason);
      continue;
    }
    const fmt = (v: number | null | undefined) => (name === 'RETURNING_SHARE' ? fmtPct(v ?? null)
      : name === 'AVG_LEAD_TIME_DAYS' ? `${fmtNumber(v ?? null, 1)} ${t('days')}` : fmtNumber(v ?? null));
    valueEl.textContent = fmt(m.value);
    box.dataset.value = String(m.value);
    const parts: string[] = [];
    if (name === 'RETURNING_SHARE') parts.push(t('ofKnownStatus'));
    const c = bench(m);
    if (c && (name === 'RETURNING_SHARE' || name === 'AVG_LEAD_TIME_DAYS')) {
      if (c.suppressed) {
        parts.push(`${t(`peer_${c.peerGroup}` as Key)}: ${suppressedMark(c.reason)}`);
        box.title = reasonText(c.reason);
      } else {
        parts.push(`${t(`peer_${c.peerGroup}` as Key)}: ${fmt(c.value)} · ${t('index')} ${fmtNumber(c.index)}`);
      }
    }
    extraEl.textContent = parts.join(' · ');
  }
}
