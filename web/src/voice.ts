// Tab "Audience voice": what the audience thinks, from survey answers linked to purchases.
// KPI boxes (NPS and satisfaction with their margins and respondents, against the benchmark), NPS or
// satisfaction by event type, age group and month with the 95 % margin of error drawn as an interval,
// promoters / passives / detractors, and the answer distribution of a choice question.
// Every number comes from the API (docs/queries/voice_tab.graphql, voice_answers.graphql).
import * as echarts from 'echarts/core';
import { CustomChart } from 'echarts/charts';
import type { Comparison, InsightResult, MetricValue, Row } from './api';
import { OKABE_ITO, OWN_COLOR, PEER_COLOR } from './charts';
import type { Chart } from './charts';
import { h } from './dom';
import { t } from './i18n';
import type { Key } from './i18n';
import { bucketOrder, fmtNumber, fmtPct, privacy, reasonText, suppressedMark } from './model';
import type { Table } from './model';

echarts.use([CustomChart]);

export type VoiceKind = 'voiceBars' | 'voiceMonth' | 'voiceGroups' | 'voiceAnswers';
export const VOICE_KINDS: readonly string[] = ['voiceBars', 'voiceMonth', 'voiceGroups', 'voiceAnswers'];
export type VoiceMetric = 'NPS' | 'SATISFACTION_SCORE';
export const VOICE_METRICS: readonly VoiceMetric[] = ['NPS', 'SATISFACTION_SCORE'];
export const VOICE_KPIS = ['NPS', 'SATISFACTION_SCORE', 'RESPONDENTS', 'RESPONSE_RATE'] as const;
/** The respondents behind each estimate. */
const COUNT_OF: Record<VoiceMetric, string> = { NPS: 'NPS_RESPONDENTS', SATISFACTION_SCORE: 'RATING_RESPONDENTS' };
/** The range an estimate can take: intervals are drawn inside it. */
const RANGE: Record<VoiceMetric, [number, number]> = { NPS: [-100, 100], SATISFACTION_SCORE: [0, 100] };
const WHISKER = '#323f4b';
const BAND = 'rgba(0,114,178,0.16)';

export interface VoiceCtx {
  dim: string;
  dimLabel(dim: string): string;
  /** What a chart of NPS or satisfaction shows (the table shows both). */
  metric: VoiceMetric;
  /** The tab's totals: the "all" row of promoters / passives / detractors. */
  kpis: InsightResult | null;
  /** Answers: the question asked (scope OWN), or null for every choice question in the network. */
  question: string | null;
  /** The caller could pick one of its own questions in scope OWN (a member). */
  canPickQuestion: boolean;
}
/** What main.ts needs to show a widget: its table (and CSV), notes, and how to draw it. */
export interface Built {
  table: Table;
  labelColumns: number;
  suppressed: number;
  unreliable: number;
  /** How many intervals (95 % margins of error) the chart draws. */
  intervals: number;
  empty: boolean;
  notes: string[];
  draw(el: HTMLElement, chart: () => Chart): void;
}

// ---------------------------------------------------------------------------------------------
// values
/** A survey metric's value: also its 95 % margin of error and whether fewer than 30 respondents are behind it. */
export type SurveyValue = MetricValue & { marginOfError?: number | null; unreliable?: boolean };
const metric = (row: Row | undefined, name: string): SurveyValue | undefined => row?.metrics.find((m) => m.metric === name);
const bench = (m: MetricValue | undefined): Comparison | null => m?.comparisons?.find((c) => c.kind === 'BENCHMARK') ?? null;
const hasBench = (rows: Row[], name: string): boolean => rows.some((r) => bench(metric(r, name)) !== null);
const plain = (m: MetricValue | undefined): number | null => (m && !m.suppressed ? m.value : null);
const round = (v: number, digits: number): number => Number(v.toFixed(digits));
const hiddenOf = (m: MetricValue | undefined): string | null => (m?.suppressed ? m.reason ?? 'BELOW_THRESHOLD' : null);
const peerOf = (m: MetricValue | undefined): number | null => { const c = bench(m); return c && !c.suppressed ? c.value ?? null : null; };

/** Why a survey value is hidden: respondents (not buyers) under the threshold, or the organization rules. */
export function voiceReason(reason: string | null): string {
  const r = reason ?? 'BELOW_THRESHOLD';
  if (r === 'BELOW_THRESHOLD' || r === 'POPULATION_BELOW_THRESHOLD') return t(`vreason_${r}` as Key, { k: privacy.k });
  return reasonText(r);
}

// cells of a table
interface Col { text: string; csv: string | number; hidden: string | null }
type Fmt = 'count' | 'score' | 'pct' | 'margin' | 'pctMargin';
function num(v: number | null | undefined, kind: Fmt): Col {
  if (v === null || v === undefined) return { text: '–', csv: '', hidden: null };
  if (kind === 'pct') return { text: fmtPct(v), csv: round(v * 100, 2), hidden: null };
  if (kind === 'pctMargin') return { text: `±${fmtNumber(v * 100, 1)}`, csv: round(v * 100, 2), hidden: null };
  if (kind === 'score') return { text: fmtNumber(v, 1), csv: round(v, 2), hidden: null };
  if (kind === 'margin') return { text: `±${fmtNumber(v, 1)}`, csv: round(v, 2), hidden: null };
  return { text: fmtNumber(v), csv: round(v, 0), hidden: null };
}
function col(m: SurveyValue | undefined, kind: Fmt): Col {
  if (!m) return { text: '–', csv: '', hidden: null };
  if (m.suppressed) return { text: suppressedMark(m.reason), csv: suppressedMark(m.reason), hidden: m.reason ?? 'BELOW_THRESHOLD' };
  const c = num(m.value, kind);
  if (m.unreliable && m.value !== null && kind !== 'count') c.text += ' †';
  return c;
}
/** The margin of a value: blank where the value is hidden or the margin unknown. */
function marginCol(m: SurveyValue | undefined, kind: 'margin' | 'pctMargin'): Col {
  if (!m || m.suppressed) return { text: '', csv: '', hidden: null };
  return num(m.marginOfError, kind);
}
function peerCol(m: MetricValue | undefined, kind: Fmt): Col {
  const c = bench(m);
  if (!c) return { text: '–', csv: '', hidden: null };
  if (c.suppressed) return { text: suppressedMark(c.reason), csv: suppressedMark(c.reason), hidden: c.reason ?? 'BELOW_THRESHOLD' };
  return num(c.value, kind);
}
const text = (s: string): Col => ({ text: s, csv: s, hidden: null });

interface Line { cols: Col[]; own: MetricValue | undefined; unreliable: boolean }
/** A table from rows of columns; a note column with every reason (and "†") when anything needs one. */
function makeTable(header: string[], lines: Line[]): Table {
  const anyNote = lines.some((l) => l.unreliable || l.cols.some((c) => c.hidden));
  const out: Table = { header: anyNote ? [...header, t('note')] : [...header], rows: [] };
  for (const l of lines) {
    const hidden = l.cols.map((c) => c.hidden);
    const notes = [...new Set(hidden.filter((x): x is string => x !== null))].map((r) => voiceReason(r));
    if (l.unreliable) notes.unshift(t('unreliableNote'));
    const row = { text: l.cols.map((c) => c.text), csv: l.cols.map((c) => c.csv), suppressed: Boolean(l.own?.suppressed),
      reason: l.own?.reason ?? null, hidden };
    if (anyNote) {
      row.text.push(notes.join(' '));
      row.csv.push(notes.join(' '));
      row.hidden.push(null);
    }
    out.rows.push(row);
  }
  return out;
}

function sortRows(rows: Row[], dim: string): Row[] {
  const rank = (code: string | null): number | string => {
    if (code === null || code === '') return '\uffff\uffff';
    const order = bucketOrder.get(dim);
    if (order && order.includes(code)) return order.indexOf(code);
    return code === 'unknown' ? '\uffff' : code;
  };
  return [...rows].sort((a, b) => {
    const ra = rank(a.dimensions[0]?.value ?? null);
    const rb = rank(b.dimensions[0]?.value ?? null);
    return ra < rb ? -1 : ra > rb ? 1 : 0;
  });
}
/** A row's label; an answer not tied to an event has no event type (value null). */
const label = (r: Row): string => r.dimensions[0]?.label ?? r.dimensions[0]?.value ?? t('noEvent');
function describe(title: string, table: Table): string {
  return `${title}: ${table.rows.map((r) => r.text.filter((x) => x).join(' ')).join('; ')}`;
}
const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
function tooltipOf(table: Table, labelColumns: number, i: number): string {
  const row = table.rows[i];
  if (!row) return '';
  const lines = table.header.slice(labelColumns).map((hd, j) => (row.text[labelColumns + j] ? `${esc(hd)}: ${esc(row.text[labelColumns + j])}` : ''));
  return `<strong>${esc(row.text.slice(0, labelColumns).join(' · '))}</strong><br>${lines.filter(Boolean).join('<br>')}`;
}

// ---------------------------------------------------------------------------------------------
// one chart: values with their 95 % interval (whiskers, or a band along a line), the peers' values,
// hidden values hatched with their mark, estimates from fewer than 30 respondents hatched and marked "†"
const HATCH = { symbol: 'rect', symbolSize: 1, color: 'rgba(90,90,90,0.32)', dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -Math.PI / 4 };
const UNRELIABLE_DECAL = { symbol: 'rect', symbolSize: 1, color: 'rgba(255,255,255,0.55)', dashArrayX: [1, 0], dashArrayY: [2, 4], rotation: Math.PI / 4 };
const AXIS_NAME = { color: '#3e4c59', fontSize: 12 };
const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';

interface Estimates {
  name: string;
  values: (number | null)[];
  margins: (number | null)[];
  unreliable: boolean[];
  hidden: (string | null)[];
}
interface VPlot {
  categories: string[];
  categoryName: string;
  valueName: string;
  type: 'bar' | 'line';
  horizontal?: boolean;
  /** Values in percent (shares × 100). */
  percent?: boolean;
  range: [number, number];
  own: Estimates;
  peer?: { name: string; values: (number | null)[] };
  table: Table;
  labelColumns: number;
  description: string;
}
/** The intervals a plot draws: [category, low, high], inside the metric's range. */
function intervalsOf(p: { own: Estimates; range: [number, number] }): [number, number, number][] {
  const out: [number, number, number][] = [];
  p.own.values.forEach((v, i) => {
    const m = p.own.margins[i];
    if (v === null || m === null || m === undefined) return;
    out.push([i, Math.max(p.range[0], v - m), Math.min(p.range[1], v + m)]);
  });
  return out;
}

function whiskers(name: string, data: [number, number, number][], horizontal: boolean): Record<string, unknown> {
  return {
    name, type: 'custom', data, z: 5, silent: true, itemStyle: { color: WHISKER },
    encode: horizontal ? { y: 0, x: [1, 2] } : { x: 0, y: [1, 2] },
    renderItem: (_params: unknown, api: { value(i: number): number; coord(p: number[]): number[]; size(p: number[]): number[] }) => {
      const i = api.value(0);
      const lo = api.value(1);
      const hi = api.value(2);
      const a = horizontal ? api.coord([lo, i]) : api.coord([i, lo]);
      const b = horizontal ? api.coord([hi, i]) : api.coord([i, hi]);
      const band = horizontal ? api.size([0, 1])[1] : api.size([1, 0])[0];
      const w = Math.max(6, Math.min(14, band * 0.22));
      const style = { stroke: WHISKER, lineWidth: 1.5 };
      const cap = (p: number[]) => (horizontal
        ? { type: 'line', shape: { x1: p[0], y1: p[1] - w / 2, x2: p[0], y2: p[1] + w / 2 }, style }
        : { type: 'line', shape: { x1: p[0] - w / 2, y1: p[1], x2: p[0] + w / 2, y2: p[1] }, style });
      return { type: 'group', children: [{ type: 'line', shape: { x1: a[0], y1: a[1], x2: b[0], y2: b[1] }, style }, cap(a), cap(b)] };
    },
  };
}

function plot(chart: Chart, p: VPlot): void {
  const series: Record<string, unknown>[] = [];
  const legend: string[] = [p.own.name];
  const visible = p.own.values.filter((v): v is number => v !== null).map(Math.abs);
  const band = visible.length ? Math.max(...visible) * 0.12 || 1 : 10;
  const many = p.categories.length > 8;
  const anyUnreliable = p.own.unreliable.some((u, i) => u && p.own.values[i] !== null);
  const intervals = intervalsOf(p);
  if (p.type === 'bar') {
    series.push({
      name: p.own.name, type: 'bar', barMaxWidth: 40, barGap: '-100%', itemStyle: { color: OWN_COLOR },
      data: p.own.values.map((v, i) => (v === null ? null : {
        value: v, ...(p.own.unreliable[i] ? { itemStyle: { color: OWN_COLOR, opacity: 0.55, decal: UNRELIABLE_DECAL } } : {}),
      })),
      label: { show: !many, position: p.horizontal ? 'right' : 'top', distance: 6, fontSize: 11, color: '#1f2933',
        formatter: (q: { dataIndex: number }) => (p.own.unreliable[q.dataIndex] ? '†' : '') },
    });
  } else {
    // the band: the low end (invisible) and the interval's height stacked on it
    const lows: (number | null)[] = p.own.values.map(() => null);
    const heights: (number | null)[] = p.own.values.map(() => null);
    for (const [i, lo, hi] of intervals) { lows[i] = lo; heights[i] = hi - lo; }
    series.push({ name: t('interval95'), type: 'line', stack: 'band', stackStrategy: 'all', data: lows, symbol: 'none', silent: true,
      lineStyle: { opacity: 0 }, itemStyle: { color: BAND }, connectNulls: false });
    series.push({ name: t('interval95'), type: 'line', stack: 'band', stackStrategy: 'all', data: heights, symbol: 'none', silent: true,
      lineStyle: { opacity: 0 }, areaStyle: { color: BAND }, itemStyle: { color: BAND }, connectNulls: false });
    series.push({
      name: p.own.name, type: 'line', z: 4, connectNulls: false, lineStyle: { width: 2, color: OWN_COLOR }, itemStyle: { color: OWN_COLOR },
      data: p.own.values.map((v, i) => (v === null ? null : {
        value: v, symbol: p.own.unreliable[i] ? 'emptyCircle' : 'circle', symbolSize: p.own.unreliable[i] ? 9 : 6,
      })),
      label: { show: true, position: 'top', fontSize: 12, color: '#1f2933',
        formatter: (q: { dataIndex: number }) => (p.own.unreliable[q.dataIndex] ? '†' : '') },
    });
  }
  // whiskers: every interval of a bar chart; along a line only where the band cannot show (a lone point)
  const lone = intervals.filter(([i]) => p.type === 'bar'
    || ((i === 0 || !intervals.some(([j]) => j === i - 1)) && !intervals.some(([j]) => j === i + 1)));
  if (lone.length || (p.type === 'bar' && intervals.length)) series.push(whiskers(t('interval95'), lone, Boolean(p.horizontal)));
  if (intervals.length) legend.push(t('interval95'));
  if (p.peer) {
    legend.push(p.peer.name);
    series.push({
      name: p.peer.name, type: 'line', data: p.peer.values, z: 6, connectNulls: false, symbol: 'diamond', symbolSize: p.type === 'bar' ? 13 : 8,
      itemStyle: { color: PEER_COLOR, borderColor: '#fff', borderWidth: 1 },
      lineStyle: p.type === 'bar' ? { opacity: 0 } : { width: 2, type: 'dashed', color: PEER_COLOR },
    });
  }
  if (p.own.hidden.some((x) => x)) {
    legend.push(t('suppressed'));
    series.push({
      name: t('suppressed'), type: 'bar', barGap: '-100%', barMaxWidth: 40,
      data: p.own.hidden.map((x) => (x ? band : null)),
      itemStyle: { color: '#f1f1f1', decal: HATCH, borderColor: '#b0b7bf', borderType: 'dashed', borderWidth: 1 },
      label: { show: true, position: p.horizontal ? 'insideLeft' : 'insideBottom', fontSize: many ? 9 : 10, color: '#3e4c59',
        ...(many && !p.horizontal ? { rotate: 90, align: 'left', verticalAlign: 'middle' } : {}),
        formatter: (q: { dataIndex: number }) => suppressedMark(p.own.hidden[q.dataIndex] ?? null) },
      emphasis: { disabled: true },
    });
  }
  if (anyUnreliable) {
    legend.push(t('unreliableLegend'));
    series.push(p.type === 'bar'
      ? { name: t('unreliableLegend'), type: 'bar', barGap: '-100%', barMaxWidth: 40, data: [], itemStyle: { color: OWN_COLOR, opacity: 0.55, decal: UNRELIABLE_DECAL } }
      : { name: t('unreliableLegend'), type: 'line', data: [], symbol: 'emptyCircle', itemStyle: { color: OWN_COLOR }, lineStyle: { opacity: 0 } });
  }
  const valueAxis = {
    type: 'value', name: p.valueName, nameLocation: 'middle', nameGap: p.horizontal ? 28 : 46, nameTextStyle: AXIS_NAME,
    axisLabel: { formatter: (v: number) => fmtNumber(v) + (p.percent ? ' %' : '') }, splitLine: { lineStyle: { color: '#e4e7eb' } },
    ...(p.percent ? { max: (e: { max: number }) => Math.min(100, Math.ceil((e.max + 5) / 10) * 10) } : {}),
  };
  const categoryAxis = {
    type: 'category', data: p.categories, name: p.categoryName, nameLocation: 'middle', nameGap: p.horizontal ? 0 : 40,
    nameTextStyle: AXIS_NAME, inverse: Boolean(p.horizontal),
    axisLabel: p.horizontal ? { width: 170, overflow: 'truncate' }
      : p.categories.length <= 9 ? { interval: 0, width: p.categories.length > 6 ? 52 : 90, overflow: 'break', lineHeight: 13, fontSize: 11 }
        : { hideOverlap: true },
    axisTick: { alignWithLabel: true },
  };
  chart.setOption({
    animation: false,
    aria: { enabled: true, label: { description: p.description } },
    textStyle: { color: '#1f2933', fontFamily: FONT },
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 10, data: legend },
    grid: p.horizontal ? { left: 180, right: 48, top: 34, bottom: 44 } : { left: 60, right: 16, top: 40, bottom: p.categories.length <= 9 ? 58 : 48 },
    xAxis: p.horizontal ? valueAxis : categoryAxis,
    yAxis: p.horizontal ? categoryAxis : valueAxis,
    tooltip: { confine: true, trigger: 'axis', axisPointer: { type: p.type === 'bar' ? 'shadow' : 'line' }, backgroundColor: '#fff',
      borderColor: '#9aa5b1', textStyle: { color: '#1f2933' },
      formatter: (params: { dataIndex: number }[]) => tooltipOf(p.table, p.labelColumns, params[0]?.dataIndex ?? 0) },
    series,
  }, { notMerge: true });
}

// ---------------------------------------------------------------------------------------------
// the widgets
export function buildVoice(kind: VoiceKind, result: InsightResult, ctx: VoiceCtx, title: string): Built {
  switch (kind) {
    case 'voiceBars': return estimates(result, ctx, title, 'bar');
    case 'voiceMonth': return estimates(result, ctx, title, 'line');
    case 'voiceGroups': return groups(result, ctx, title);
    default: return answers(result, ctx, title);
  }
}

const metricName = (m: VoiceMetric): string => t(m === 'NPS' ? 'metricNps' : 'metricSatisfaction');

/** NPS and satisfaction by a dimension (bars) or by month (a line with a band). */
function estimates(result: InsightResult, ctx: VoiceCtx, title: string, type: 'bar' | 'line'): Built {
  const rows = sortRows(result.rows, ctx.dim);
  const b = hasBench(rows, 'NPS') || hasBench(rows, 'SATISFACTION_SCORE');
  const dimName = type === 'line' ? t('axisAnswerMonth') : ctx.dimLabel(ctx.dim);
  const header = [dimName, t('metricNps'), t('marginOfError'), t('respondents'), t('metricSatisfaction'), t('marginOfError'), t('respondents'),
    ...(b ? [`${t('metricNps')} · ${t('peerValue')}`, `${t('metricSatisfaction')} · ${t('peerValue')}`] : [])];
  const chartUnreliable = (r: Row) => Boolean(plain(metric(r, ctx.metric)) !== null && metric(r, ctx.metric)?.unreliable);
  const table = makeTable(header, rows.map((r) => {
    const nps = metric(r, 'NPS');
    const sat = metric(r, 'SATISFACTION_SCORE');
    return {
      own: nps, unreliable: Boolean((plain(nps) !== null && nps?.unreliable) || (plain(sat) !== null && sat?.unreliable)),
      cols: [text(label(r)), col(nps, 'score'), marginCol(nps, 'margin'), col(metric(r, 'NPS_RESPONDENTS'), 'count'),
        col(sat, 'score'), marginCol(sat, 'margin'), col(metric(r, 'RATING_RESPONDENTS'), 'count'),
        ...(b ? [peerCol(nps, 'score'), peerCol(sat, 'score')] : [])],
    };
  }));
  const own: Estimates = {
    name: b ? `${metricName(ctx.metric)} · ${t('ownValue')}` : metricName(ctx.metric),
    values: rows.map((r) => plain(metric(r, ctx.metric))),
    margins: rows.map((r) => (plain(metric(r, ctx.metric)) === null ? null : metric(r, ctx.metric)?.marginOfError ?? null)),
    unreliable: rows.map(chartUnreliable),
    hidden: rows.map((r) => hiddenOf(metric(r, ctx.metric))),
  };
  const intervals = intervalsOf({ own, range: RANGE[ctx.metric] }).length;
  return {
    table, labelColumns: 1, empty: !rows.length, intervals,
    suppressed: rows.reduce((n, r) => n + ['NPS', 'SATISFACTION_SCORE'].filter((m) => metric(r, m)?.suppressed).length, 0),
    unreliable: rows.filter(chartUnreliable).length,
    notes: [t(ctx.metric === 'NPS' ? 'npsHelp' : 'satisfactionHelp'), t('intervalHelp')],
    draw: (_el, chart) => plot(chart(), {
      categories: rows.map(label), categoryName: type === 'line' ? t('axisAnswerMonth') : ctx.dimLabel(ctx.dim), valueName: metricName(ctx.metric),
      type, range: RANGE[ctx.metric], own, table, labelColumns: 1, description: describe(title, table),
      ...(b ? { peer: { name: `${metricName(ctx.metric)} · ${t('peerValue')}`, values: rows.map((r) => peerOf(metric(r, ctx.metric))) } } : {}),
    }),
  };
}

const GROUPS = [
  { metric: 'PROMOTERS', key: 'promoters', color: OKABE_ITO.green },
  { metric: 'PASSIVES', key: 'passives', color: '#9aa5b1' },
  { metric: 'DETRACTORS', key: 'detractors', color: OKABE_ITO.vermillion },
] as const;

/** Promoters, passives and detractors: the whole selection (and its peers), then by event type. */
function groups(result: InsightResult, ctx: VoiceCtx, title: string): Built {
  const total = ctx.kpis?.rows[0];
  const rows = sortRows(result.rows, ctx.dim);
  type Entry = { label: string; get(name: string): SurveyValue | undefined; peer: boolean };
  const entries: Entry[] = [];
  if (total) {
    entries.push({ label: t('allSelection'), get: (n) => metric(total, n), peer: false });
    const c = bench(metric(total, 'PROMOTERS'));
    if (c) {
      // the peers' shares from the comparisons of the totals (their respondents are not published)
      const asValue = (n: string): SurveyValue | undefined => {
        const x = bench(metric(total, n));
        return x ? { metric: n, value: x.value ?? null, suppressed: x.suppressed, reason: x.reason, comparisons: null } : undefined;
      };
      entries.push({ label: `${t('peerValue')}: ${t(`peer_${c.peerGroup}` as Key)}`, get: asValue, peer: true });
    }
  }
  for (const r of rows) entries.push({ label: label(r), get: (n) => metric(r, n), peer: false });
  const unreliable = (e: Entry) => GROUPS.some((g) => plain(e.get(g.metric)) !== null && e.get(g.metric)?.unreliable);
  const header = [ctx.dimLabel(ctx.dim), ...GROUPS.map((g) => `${t(g.key)} (%)`), t('marginOfErrorPct'), t('respondents')];
  const table = makeTable(header, entries.map((e) => ({
    own: e.get('PROMOTERS'), unreliable: unreliable(e),
    cols: [text(e.label), ...GROUPS.map((g) => col(e.get(g.metric), 'pct')), marginCol(e.get('PROMOTERS'), 'pctMargin'),
      e.peer ? text('') : col(e.get('NPS_RESPONDENTS'), 'count')],
  })));
  const sums = entries.map((e) => GROUPS.reduce((s, g) => s + (plain(e.get(g.metric)) ?? NaN), 0)).filter((s) => !Number.isNaN(s));
  const offHundred = sums.some((s) => Math.abs(s - 1) > 0.005);
  const categories = entries.map((e) => `${e.label}${unreliable(e) ? ' †' : ''}`);
  const hidden = entries.map((e) => hiddenOf(e.get('PROMOTERS')));
  return {
    table, labelColumns: 1, empty: !rows.length && !total, intervals: 0,
    suppressed: entries.reduce((n, e) => n + GROUPS.filter((g) => e.get(g.metric)?.suppressed).length, 0),
    unreliable: entries.filter(unreliable).length,
    notes: [t('groupsHelp'), ...(offHundred ? [t('sharesNotHundred')] : [])],
    draw: (_el, chart) => {
      const series: Record<string, unknown>[] = GROUPS.map((g) => ({
        name: t(g.key), type: 'bar', stack: 'groups', barMaxWidth: 26, itemStyle: { color: g.color },
        data: entries.map((e) => {
          const v = plain(e.get(g.metric));
          if (v === null) return null;
          const style = unreliable(e) ? { itemStyle: { color: g.color, opacity: 0.55, decal: UNRELIABLE_DECAL } }
            : e.peer ? { itemStyle: { color: g.color, decal: { symbol: 'circle', symbolSize: 0.5, color: 'rgba(0,0,0,0.25)', dashArrayX: [4, 4], dashArrayY: [4, 4] } } } : {};
          return { value: Math.round(v * 1000) / 10, ...style };
        }),
        label: { show: true, fontSize: 10, color: '#fff', formatter: (q: { value: number }) => (q.value >= 8 ? `${fmtNumber(q.value, 0)} %` : '') },
      }));
      const legend = GROUPS.map((g) => t(g.key) as string);
      if (hidden.some((x) => x)) {
        legend.push(t('suppressed'));
        series.push({ name: t('suppressed'), type: 'bar', stack: 'groups', barMaxWidth: 26, data: hidden.map((x) => (x ? 100 : null)),
          itemStyle: { color: '#f1f1f1', decal: HATCH, borderColor: '#b0b7bf', borderType: 'dashed', borderWidth: 1 },
          label: { show: true, position: 'insideLeft', fontSize: 10, color: '#3e4c59', formatter: (q: { dataIndex: number }) => suppressedMark(hidden[q.dataIndex] ?? null) },
          emphasis: { disabled: true } });
      }
      if (entries.some(unreliable)) {
        legend.push(t('unreliableLegend'));
        series.push({ name: t('unreliableLegend'), type: 'bar', stack: 'groups', data: [], itemStyle: { color: '#7b8794', opacity: 0.55, decal: UNRELIABLE_DECAL } });
      }
      chart().setOption({
        animation: false,
        aria: { enabled: true, label: { description: describe(title, table) } },
        textStyle: { color: '#1f2933', fontFamily: FONT },
        legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 10, data: legend },
        grid: { left: 190, right: 24, top: 34, bottom: 44 },
        xAxis: { type: 'value', name: t('shareOfRespondents'), nameLocation: 'middle', nameGap: 28, nameTextStyle: AXIS_NAME,
          max: (e: { max: number }) => Math.max(100, Math.ceil(e.max / 10) * 10),
          axisLabel: { formatter: (v: number) => `${fmtNumber(v)} %` }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
        yAxis: { type: 'category', data: categories, inverse: true, axisLabel: { width: 180, overflow: 'truncate' } },
        tooltip: { confine: true, trigger: 'axis', axisPointer: { type: 'shadow' }, backgroundColor: '#fff', borderColor: '#9aa5b1',
          textStyle: { color: '#1f2933' }, formatter: (params: { dataIndex: number }[]) => tooltipOf(table, 1, params[0]?.dataIndex ?? 0) },
        series,
      }, { notMerge: true });
    },
  };
}

/** The answers to one choice question (OWN), or to every choice question in the network, by option. */
function answers(result: InsightResult, ctx: VoiceCtx, title: string): Built {
  const rows = [...result.rows].sort((a, b) => (plain(metric(b, 'ANSWERS_SHARE')) ?? -1) - (plain(metric(a, 'ANSWERS_SHARE')) ?? -1));
  const header = [t('answer'), t('answersShare'), t('marginOfErrorPct'), t('answersCount')];
  const table = makeTable(header, rows.map((r) => {
    const m = metric(r, 'ANSWERS_SHARE');
    return { own: m, unreliable: Boolean(plain(m) !== null && m?.unreliable),
      cols: [text(label(r)), col(m, 'pct'), marginCol(m, 'pctMargin'), col(metric(r, 'ANSWERS'), 'count')] };
  }));
  const pct = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 10);
  const own: Estimates = {
    name: t('answersShare'),
    values: rows.map((r) => pct(plain(metric(r, 'ANSWERS_SHARE')))),
    margins: rows.map((r) => { const m = metric(r, 'ANSWERS_SHARE'); return plain(m) === null || m?.marginOfError == null ? null : m.marginOfError * 100; }),
    unreliable: rows.map((r) => Boolean(plain(metric(r, 'ANSWERS_SHARE')) !== null && metric(r, 'ANSWERS_SHARE')?.unreliable)),
    hidden: rows.map((r) => hiddenOf(metric(r, 'ANSWERS_SHARE'))),
  };
  return {
    table, labelColumns: 1, empty: !rows.length, intervals: intervalsOf({ own, range: [0, 100] }).length,
    suppressed: rows.filter((r) => metric(r, 'ANSWERS_SHARE')?.suppressed).length,
    unreliable: own.unreliable.filter(Boolean).length,
    notes: ctx.question ? [t('answersOwnNote', { q: ctx.question })]
      : [t('answersNetworkNote'), ...(ctx.canPickQuestion ? [t('answersPickOwn', { scope: t('scope_OWN') })] : [])],
    draw: (el, chart) => {
      el.style.height = `${Math.max(260, rows.length * 30 + 90)}px`;
      const c = chart();
      c.resize();
      plot(c, { categories: rows.map(label), categoryName: '', valueName: t('answersShare'), type: 'bar', horizontal: true, percent: true,
        range: [0, 100], own, table, labelColumns: 1, description: describe(title, table) });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// KPI boxes
export function voiceKpiBoxes(): HTMLElement {
  return h('section', { class: 'kpis voice-kpis', 'aria-label': 'KPI' }, ...VOICE_KPIS.map((k) =>
    h('div', { class: 'kpi', 'data-kpi': k, 'data-state': 'loading', tabindex: 0 },
      h('span', { class: 'kpi-label' }, t(`kpi_${k}` as Key)), h('span', { class: 'kpi-value' }, '…'),
      h('span', { class: 'kpi-extra' }, ''), h('span', { class: 'kpi-extra kpi-peer' }, ''))));
}

/** ``rates``: the tab's RESPONSE_RATE request (a buyer metric: never in the survey metrics' field). */
export function renderVoiceKpis(result: InsightResult | null, err?: Error, rates: InsightResult | null = null): void {
  for (const name of VOICE_KPIS) {
    const row = name === 'RESPONSE_RATE' ? rates?.rows[0] : result?.rows[0];
    const box = document.querySelector<HTMLElement>(`.voice-kpis .kpi[data-kpi="${name}"]`);
    if (!box) continue;
    const valueEl = box.querySelector('.kpi-value') as HTMLElement;
    const extraEl = box.querySelector('.kpi-extra') as HTMLElement;
    const peerEl = box.querySelector('.kpi-peer') as HTMLElement;
    box.classList.remove('suppressed', 'unreliable');
    box.removeAttribute('title');
    extraEl.textContent = '';
    peerEl.textContent = '';
    for (const k of ['value', 'margin', 'respondents', 'peer']) delete box.dataset[k];
    if (err) { box.dataset.state = 'error'; valueEl.textContent = '–'; box.title = err.message; continue; }
    if (!result) { box.dataset.state = 'loading'; valueEl.textContent = '…'; continue; }
    box.dataset.state = 'ready';
    const m = metric(row, name);
    if (!m || (m.value === null && !m.suppressed)) { valueEl.textContent = '–'; box.dataset.value = ''; continue; }
    if (m.suppressed) {
      box.classList.add('suppressed');
      valueEl.textContent = suppressedMark(m.reason);
      box.dataset.value = 'suppressed';
      box.title = voiceReason(m.reason);
      extraEl.textContent = voiceReason(m.reason);
      continue;
    }
    box.dataset.value = String(m.value);
    if (name === 'RESPONDENTS') {
      valueEl.textContent = fmtNumber(m.value);
      extraEl.textContent = t('respondentsHelp');
      continue;
    }
    if (name === 'RESPONSE_RATE') {
      valueEl.textContent = fmtPct(m.value);
      const base = metric(row, 'SURVEYED_BUYERS');
      if (base && !base.suppressed && base.value !== null) extraEl.textContent = t('responseRateHelp', { n: fmtNumber(base.value) });
      const c = bench(m);
      if (c) {
        const group = t(`peer_${c.peerGroup}` as Key);
        peerEl.textContent = `${group}: ${c.suppressed || c.value === null || c.value === undefined ? suppressedMark(c.reason) : fmtPct(c.value)}`;
        box.dataset.peer = c.suppressed || c.value === null || c.value === undefined ? 'suppressed' : String(c.value);
      }
      continue;
    }
    valueEl.textContent = `${fmtNumber(m.value, 1)}${m.unreliable ? ' †' : ''}`;
    const n = metric(row, COUNT_OF[name]);
    const parts: string[] = [];
    if (m.marginOfError !== null && m.marginOfError !== undefined) {
      parts.push(`±${fmtNumber(m.marginOfError, 1)}`);
      box.dataset.margin = String(m.marginOfError);
    }
    if (n && !n.suppressed && n.value !== null) {
      parts.push(t('respondentsN', { n: fmtNumber(n.value) }));
      box.dataset.respondents = String(n.value);
    }
    if (m.unreliable) {
      box.classList.add('unreliable');
      parts.push(t('unreliableLegend'));
      box.title = t('unreliableNote');
    }
    extraEl.textContent = parts.join(' · ');
    const c = bench(m);
    if (c) {
      const group = t(`peer_${c.peerGroup}` as Key);
      if (c.suppressed || c.value === null || c.value === undefined) {
        peerEl.textContent = `${group}: ${suppressedMark(c.reason)}`;
        box.title = voiceReason(c.reason);
        box.dataset.peer = 'suppressed';
      } else {
        const d = (m.value ?? 0) - c.value;
        peerEl.textContent = `${group}: ${fmtNumber(c.value, 1)} (${d > 0 ? '+' : d < 0 ? '−' : '±'}${fmtNumber(Math.abs(d), 1)})`;
        box.dataset.peer = String(c.value);
      }
    }
  }
}
