// ECharts, tree-shaken: only the charts and components the dashboard draws.
import * as echarts from 'echarts/core';
import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import { SVGRenderer } from 'echarts/renderers';
import type { Cell } from './model';
import { fmtNumber, fmtPct, hasComparisons, reasonText, suppressedMark } from './model';
import { t } from './i18n';

echarts.use([BarChart, LineChart, HeatmapChart, GridComponent, TooltipComponent, LegendComponent, VisualMapComponent, AriaComponent, SVGRenderer]);

export type Chart = echarts.ECharts;

// Okabe–Ito, safe for the common colour-vision deficiencies.
export const OKABE_ITO = {
  blue: '#0072B2', orange: '#E69F00', sky: '#56B4E9', green: '#009E73',
  yellow: '#F0E442', vermillion: '#D55E00', purple: '#CC79A7', black: '#000000',
};
export const OWN_COLOR = OKABE_ITO.blue;
export const PEER_COLOR = OKABE_ITO.orange;
const SUPPRESSED_FILL = '#f1f1f1';
const HATCH = {
  symbol: 'rect', symbolSize: 1, color: 'rgba(90,90,90,0.32)',
  dashArrayX: [1, 0], dashArrayY: [3, 5], rotation: -Math.PI / 4,
};
const TEXT = '#1f2933';
const AXIS_NAME = { color: '#3e4c59', fontSize: 12 };

export function initChart(el: HTMLElement): Chart {
  return echarts.init(el, undefined, { renderer: 'svg' });
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

function tooltipFor(cell: Cell, valueName: string): string {
  const title = `<strong>${esc(cell.labels.join(' · '))}</strong>`;
  if (cell.suppressed) {
    return `${title}<br>${esc(valueName)}: ${esc(suppressedMark(cell.reason))}<br><em>${esc(reasonText(cell.reason))}</em>`;
  }
  let html = `${title}<br>${esc(valueName)}: ${fmtNumber(cell.value)}`;
  if (cell.cmp) {
    if (cell.cmp.suppressed) {
      html += `<br>${esc(t('peerShare'))}: ${esc(suppressedMark(cell.cmp.reason))}<br><em>${esc(reasonText(cell.cmp.reason))}</em>`;
    } else {
      html += `<br>${esc(t('ownShare'))}: ${fmtPct(cell.cmp.share)}<br>${esc(t('peerShare'))}: ${fmtPct(cell.cmp.peerShare)}`
        + `<br>${esc(t('index'))}: ${fmtNumber(cell.cmp.index)}`;
    }
  }
  return html;
}

const baseOption = (description: string) => ({
  animation: false,
  aria: { enabled: true, label: { description } },
  textStyle: { color: TEXT, fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif' },
  tooltip: { confine: true, backgroundColor: '#fff', borderColor: '#9aa5b1', textStyle: { color: TEXT } },
});

export interface BarOpts {
  horizontal?: boolean;
  line?: boolean;
  categoryName: string;
  description: string;
}

/** One category axis: own values (or own vs peer shares under a benchmark); suppressed cells hatched. */
export function drawCategory(chart: Chart, cells: Cell[], opts: BarOpts): void {
  const bench = hasComparisons(cells);
  const labels = cells.map((c) => c.labels.join(' · '));
  const own = cells.map((c) => (c.suppressed ? null : bench ? pct(c.cmp?.share) : c.value));
  const peer = cells.map((c) => (bench && c.cmp && !c.cmp.suppressed ? pct(c.cmp.peerShare) : null));
  const visible = [...own, ...peer].filter((v): v is number => v !== null);
  const band = visible.length ? Math.max(...visible) : 1;
  const valueName = bench ? t('unitShare') : t('unitBuyers');
  const suppressedData = cells.map((c) => (c.suppressed ? band : null));

  const valueAxis = {
    type: 'value', name: valueName, nameLocation: 'middle', nameGap: opts.horizontal ? 28 : 52, nameTextStyle: AXIS_NAME,
    max: visible.length ? undefined : 1,
    axisLabel: { formatter: (v: number) => fmtNumber(v, bench ? 0 : 0) + (bench ? ' %' : ''), showMinLabel: true },
    splitLine: { lineStyle: { color: '#e4e7eb' } },
  };
  const categoryAxis = {
    type: 'category', data: labels, name: opts.categoryName, nameLocation: 'middle', nameTextStyle: AXIS_NAME,
    nameGap: opts.horizontal ? 0 : labels.length <= 8 ? 40 : 30, inverse: Boolean(opts.horizontal),
    axisLabel: opts.horizontal ? { width: 140, overflow: 'truncate' }
      : labels.length <= 8 ? { interval: 0, width: 84, overflow: 'break', lineHeight: 13 } : { hideOverlap: true },
    axisTick: { alignWithLabel: true },
  };
  const ownSeries = opts.line
    ? { name: bench ? t('ownShare') : valueName, type: 'line', data: own, connectNulls: false, symbolSize: 6,
        itemStyle: { color: OWN_COLOR }, lineStyle: { width: 2, color: OWN_COLOR }, z: 3 }
    : { name: bench ? t('ownShare') : valueName, type: 'bar', stack: 'own', data: own, itemStyle: { color: OWN_COLOR },
        barMaxWidth: 42 };
  const series: Record<string, unknown>[] = [ownSeries];
  series.push({
    name: t('suppressed'), type: 'bar', stack: opts.line ? undefined : 'own', data: suppressedData,
    barGap: opts.line ? '-100%' : undefined, barMaxWidth: 42, silent: false,
    itemStyle: { color: SUPPRESSED_FILL, decal: HATCH, borderColor: '#b0b7bf', borderType: 'dashed', borderWidth: 1 },
    label: {
      show: true, position: opts.horizontal ? 'insideLeft' : 'insideBottom', color: '#3e4c59', fontSize: 11,
      ...(!opts.horizontal && labels.length > 8 ? { rotate: 90, align: 'left', verticalAlign: 'middle', fontSize: 10 } : {}),
      formatter: (p: { dataIndex: number }) => suppressedMark(cells[p.dataIndex]?.reason ?? null),
    },
    emphasis: { disabled: true },
  });
  if (bench) {
    series.push(opts.line
      ? { name: t('peerShare'), type: 'line', data: peer, symbol: 'diamond', symbolSize: 7, itemStyle: { color: PEER_COLOR },
          lineStyle: { width: 2, type: 'dashed', color: PEER_COLOR } }
      : { name: t('peerShare'), type: 'bar', stack: 'peer', data: peer, barMaxWidth: 42,
          itemStyle: { color: PEER_COLOR, decal: { symbol: 'circle', symbolSize: 0.5, color: 'rgba(0,0,0,0.25)', dashArrayX: [4, 4], dashArrayY: [4, 4] } } });
  }
  const hasSuppressed = suppressedData.some((v) => v !== null);
  chart.setOption({
    ...baseOption(opts.description),
    legend: { show: bench || hasSuppressed, top: 0, right: 0, itemWidth: 14, itemHeight: 10,
      data: [bench ? t('ownShare') : valueName, ...(bench ? [t('peerShare')] : []), ...(hasSuppressed ? [t('suppressed')] : [])] },
    grid: opts.horizontal
      ? { left: 150, right: 24, top: bench || hasSuppressed ? 30 : 12, bottom: 44, containLabel: false }
      : { left: 64, right: 16, top: bench || hasSuppressed ? 30 : 12, bottom: labels.length <= 8 ? 58 : 48, containLabel: false },
    xAxis: opts.horizontal ? valueAxis : categoryAxis,
    yAxis: opts.horizontal ? categoryAxis : valueAxis,
    tooltip: {
      ...baseOption('').tooltip, trigger: 'axis', axisPointer: { type: 'shadow' },
      formatter: (params: { dataIndex: number }[]) => tooltipFor(cells[params[0]?.dataIndex ?? 0], t('unitBuyers')),
    },
    series,
  }, { notMerge: true });
}

function pct(v: number | null | undefined): number | null {
  return v === null || v === undefined ? null : Math.round(v * 1000) / 10;
}

const GENDER_COLORS: Record<string, string> = { male: OKABE_ITO.blue, female: OKABE_ITO.orange, unknown: OKABE_ITO.purple };

/** Age groups (x) × genders (bars); suppressed cells hatched in their gender's slot. */
export function drawAgeGender(chart: Chart, cells: Cell[], description: string): void {
  const bench = hasComparisons(cells);
  const ages: { code: string; label: string }[] = [];
  const genders: { code: string; label: string }[] = [];
  for (const c of cells) {
    if (!ages.some((a) => a.code === c.keys[0])) ages.push({ code: c.keys[0], label: c.labels[0] });
    if (!genders.some((g) => g.code === c.keys[1])) genders.push({ code: c.keys[1], label: c.labels[1] });
  }
  const find = (a: string, g: string) => cells.find((c) => c.keys[0] === a && c.keys[1] === g);
  const val = (c: Cell | undefined) => (!c || c.suppressed ? null : bench ? pct(c.cmp?.share) : c.value);
  const visible = cells.map(val).filter((v): v is number => v !== null);
  const band = visible.length ? Math.max(...visible) * 0.999 : 1;
  const series: Record<string, unknown>[] = [];
  for (const g of genders) {
    series.push({ name: g.label, type: 'bar', stack: g.code, data: ages.map((a) => val(find(a.code, g.code))),
      itemStyle: { color: GENDER_COLORS[g.code] ?? OKABE_ITO.green }, barMaxWidth: 22 });
    series.push({ name: t('suppressed'), type: 'bar', stack: g.code,
      data: ages.map((a) => (find(a.code, g.code)?.suppressed ? band : null)), barMaxWidth: 22,
      itemStyle: { color: SUPPRESSED_FILL, decal: HATCH, borderColor: '#b0b7bf', borderType: 'dashed', borderWidth: 1 },
      label: { show: true, position: 'insideBottom', rotate: 90, align: 'left', verticalAlign: 'middle', fontSize: 10, color: '#3e4c59',
        formatter: (p: { dataIndex: number }) => suppressedMark(find(ages[p.dataIndex].code, g.code)?.reason ?? null) },
      emphasis: { disabled: true } });
  }
  const anySuppressed = cells.some((c) => c.suppressed);
  const valueName = bench ? t('unitShare') : t('unitBuyers');
  chart.setOption({
    ...baseOption(description),
    legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 10,
      data: [...genders.map((g) => g.label), ...(anySuppressed ? [t('suppressed')] : [])] },
    grid: { left: 64, right: 16, top: 30, bottom: 48 },
    xAxis: { type: 'category', data: ages.map((a) => a.label), name: t('ageGroup'), nameLocation: 'middle', nameGap: 30,
      nameTextStyle: AXIS_NAME, axisLabel: { hideOverlap: true, fontSize: 11 } },
    yAxis: { type: 'value', name: valueName, nameLocation: 'middle', nameGap: 52, nameTextStyle: AXIS_NAME,
      axisLabel: { formatter: (v: number) => fmtNumber(v) + (bench ? ' %' : '') }, splitLine: { lineStyle: { color: '#e4e7eb' } } },
    tooltip: {
      ...baseOption('').tooltip, trigger: 'item',
      formatter: (p: { dataIndex: number; seriesIndex: number }) => {
        const g = genders[Math.floor(p.seriesIndex / 2)];
        const cell = find(ages[p.dataIndex].code, g.code);
        return cell ? tooltipFor(cell, t('unitBuyers')) : '';
      },
    },
    series,
  }, { notMerge: true });
}

/** Weekday (rows) × hour (columns); suppressed cells hatched grey. */
export function drawHeatmap(chart: Chart, cells: Cell[], description: string): void {
  const days = [...new Map(cells.map((c) => [c.keys[0], c.labels[0]])).entries()];
  const hours = Array.from({ length: 24 }, (_, h) => String(h));
  const dIndex = new Map(days.map(([k], i) => [k, i]));
  const values = cells.filter((c) => !c.suppressed && c.value !== null).map((c) => [Number(c.keys[1]), dIndex.get(c.keys[0]) ?? 0, c.value as number]);
  const hidden = cells.filter((c) => c.suppressed).map((c) => [Number(c.keys[1]), dIndex.get(c.keys[0]) ?? 0, 0]);
  const max = Math.max(1, ...values.map((v) => v[2]));
  const lookup = (x: number, y: number) => cells.find((c) => Number(c.keys[1]) === x && dIndex.get(c.keys[0]) === y);
  chart.setOption({
    ...baseOption(description),
    grid: { left: 90, right: 16, top: 10, bottom: 70 },
    xAxis: { type: 'category', data: hours, name: t('axisHour'), nameLocation: 'middle', nameGap: 26, nameTextStyle: AXIS_NAME, splitArea: { show: true } },
    yAxis: { type: 'category', data: days.map(([, l]) => l), inverse: true, splitArea: { show: true } },
    visualMap: { min: 0, max, calculable: false, orient: 'horizontal', left: 'center', bottom: 0, seriesIndex: 0, itemHeight: 120,
      text: [fmtNumber(max), '0'], inRange: { color: ['#eaf3fa', '#56B4E9', '#0072B2', '#00345a'] } },
    tooltip: { ...baseOption('').tooltip, trigger: 'item',
      formatter: (p: { value: number[] }) => { const c = lookup(p.value[0], p.value[1]); return c ? tooltipFor(c, t('unitBuyers')) : ''; } },
    series: [
      { type: 'heatmap', data: values, itemStyle: { borderColor: '#fff', borderWidth: 1 } },
      { type: 'heatmap', data: hidden, itemStyle: { color: SUPPRESSED_FILL, decal: HATCH, borderColor: '#fff', borderWidth: 1 } },
    ],
  }, { notMerge: true });
}
