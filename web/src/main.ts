// The CID dashboard: sign-in, shared filters, three tabs of widgets (and a member's events). Every number comes from /graphql.
import './styles.css';
import { ApiError, demoTokens, getToken, gql, LANG_KEY, setToken } from './api';
import type { DemoToken, InsightResult } from './api';
import { drawAgeGender, drawCategory, drawHeatmap, initChart } from './charts';
import type { Chart } from './charts';
import { h } from './dom';
import type { Attrs } from './dom';
import { disposeEvents, eventsPanel, loadEvents } from './events';
import { highlightsSection, loadHighlights, reportButton } from './highlights';
import type { HighlightAsk } from './highlights';
import { getLang, intlLocale, isLang, LANGS, setLang, t } from './i18n';
import type { Key, Lang } from './i18n';
import { bucketOrder, cellsOf, fmtNumber, fmtPct, privacy, reasonText, suppressedMark, tableOf, toCsv } from './model';
import type { Cell, Table } from './model';
import { drawTileMap } from './tilemap';
import { buildLoyalty, LOYALTY_KINDS, loyaltyKpiBoxes, renderLoyaltyKpis } from './loyalty';
import type { GrowthInput, LoyaltyKind, Period } from './loyalty';
import { buildVoice, renderVoiceKpis, VOICE_KINDS, VOICE_METRICS, voiceKpiBoxes, voiceReason } from './voice';
import type { VoiceKind, VoiceMetric } from './voice';
import tabDemographyQuery from '../../docs/queries/tab_demography.graphql?raw';
import tabEventsQuery from '../../docs/queries/tab_events.graphql?raw';
import loyaltyTabQuery from '../../docs/queries/loyalty_tab.graphql?raw';
import growthQuery from '../../docs/queries/growth_like_for_like.graphql?raw';
import voiceTabQuery from '../../docs/queries/voice_tab.graphql?raw';
import voiceAnswersQuery from '../../docs/queries/voice_answers.graphql?raw';
import bootstrapQuery from './queries/bootstrap.graphql?raw';
import weekdayHourQuery from './queries/weekday_hour.graphql?raw';

// ---------------------------------------------------------------------------------------------
// state
type TabId = 'demography' | 'events' | 'loyalty' | 'voice' | 'myEvents';
type Preset = 'last12' | 'thisYear' | 'lastYear' | 'all';
type Scope = 'OWN' | 'NETWORK';
const PEER_GROUPS = ['SAME_ORG_TYPE', 'SAME_REGION', 'SAME_COUNTRY', 'NORDIC'] as const;
const FILTER_DIMS = [
  { key: 'country', dim: 'COUNTRY' },
  { key: 'region', dim: 'REGION' },
  { key: 'orgType', dim: 'ORG_TYPE' },
  { key: 'eventType', dim: 'EVENT_TYPE' },
  { key: 'eventCategory', dim: 'EVENT_CATEGORY' },
  { key: 'classificationSource', dim: 'CLASSIFICATION_SOURCE' },
] as const;
type FilterKey = (typeof FILTER_DIMS)[number]['key'];

interface Me {
  role: string;
  tokenExpiresAt: string;
  organization: { id: string; name: string; orgType: string; country: string; region: string; dataSince?: string | null } | null;
}
interface CatalogData {
  languages: string[];
  metrics: { metric: string; label: string; unit: string }[];
  dimensions: { dimension: string; label: string; buckets: { code: string; label: string }[] }[];
  privacy: { k: number; minOrganizations: number };
  dataSince?: string | null;
}
interface Bootstrap { me: Me; catalog: CatalogData; regions: { rows: { dimensions: { value: string | null; label: string | null }[] }[] } }

const state = {
  me: null as Me | null,
  catalog: null as CatalogData | null,
  regions: [] as { code: string; label: string }[],
  filters: { country: '', region: '', orgType: '', eventType: '', eventCategory: '', classificationSource: '' } as Record<FilterKey, string>,
  preset: 'last12' as Preset,
  scope: 'OWN' as Scope,
  peer: '' as string,
  /** The population the audience index compares with ('' = the country filter, else the member's country, else Norway). */
  popCountry: '' as string,
  tab: 'demography' as TabId,
  stale: { demography: true, events: true, loyalty: true, voice: true, myEvents: true } as Record<TabId, boolean>,
  generation: 0,
  /** Tab "Audience voice": what each chart of NPS / satisfaction shows, the question whose answers are shown. */
  voiceMetric: {} as Record<string, VoiceMetric>,
  voiceQuestion: '' as string,
  voiceQuestions: [] as { code: string; label: string }[],
  voiceKpis: null as InsightResult | null,
};
const controllers: Partial<Record<string, AbortController>> = {};
const root = document.getElementById('app') as HTMLElement;

// ---------------------------------------------------------------------------------------------
// widgets
type Kind = 'bar' | 'barH' | 'line' | 'ageGender' | 'heatmap' | 'tilemap' | LoyaltyKind | VoiceKind;
interface WidgetDef { id: string; tab: TabId; kind: Kind; dim: string; axis?: Key; wide?: boolean }
const WIDGETS: WidgetDef[] = [
  { id: 'ageGender', tab: 'demography', kind: 'ageGender', dim: 'AGE_GROUP', wide: true },
  { id: 'purchasingPower', tab: 'demography', kind: 'bar', dim: 'PURCHASING_POWER' },
  { id: 'educationLevel', tab: 'demography', kind: 'bar', dim: 'EDUCATION_LEVEL' },
  { id: 'areaType', tab: 'demography', kind: 'bar', dim: 'AREA_TYPE' },
  { id: 'homeType', tab: 'demography', kind: 'bar', dim: 'HOME_TYPE' },
  { id: 'monthlyTrend', tab: 'events', kind: 'line', dim: 'PURCHASED_AT', axis: 'axisMonth', wide: true },
  { id: 'weekday', tab: 'events', kind: 'bar', dim: 'PURCHASED_AT', axis: 'axisWeekday' },
  { id: 'hourOfDay', tab: 'events', kind: 'bar', dim: 'PURCHASED_AT', axis: 'axisHour' },
  { id: 'weekdayHour', tab: 'events', kind: 'heatmap', dim: 'PURCHASED_AT', wide: true },
  { id: 'region', tab: 'events', kind: 'tilemap', dim: 'REGION', wide: true },
  { id: 'orgType', tab: 'events', kind: 'barH', dim: 'ORG_TYPE' },
  { id: 'eventType', tab: 'events', kind: 'barH', dim: 'EVENT_TYPE' },
  { id: 'eventCategory', tab: 'events', kind: 'barH', dim: 'EVENT_CATEGORY', wide: true },
  { id: 'returning', tab: 'loyalty', kind: 'returning', dim: 'PURCHASED_AT', axis: 'axisMonth', wide: true },
  { id: 'frequency', tab: 'loyalty', kind: 'shares', dim: 'FREQUENCY_BAND' },
  { id: 'spend', tab: 'loyalty', kind: 'shares', dim: 'SPEND_BAND' },
  { id: 'leadTime', tab: 'loyalty', kind: 'leadCurve', dim: 'LEAD_TIME' },
  { id: 'growth', tab: 'loyalty', kind: 'growth', dim: '' },
  { id: 'reach', tab: 'loyalty', kind: 'reachMap', dim: 'BUYER_REGION', wide: true },
  { id: 'audience', tab: 'loyalty', kind: 'audience', dim: 'AGE_GROUP', wide: true },
  { id: 'npsEventType', tab: 'voice', kind: 'voiceBars', dim: 'EVENT_TYPE' },
  { id: 'npsAge', tab: 'voice', kind: 'voiceBars', dim: 'AGE_GROUP' },
  { id: 'npsMonth', tab: 'voice', kind: 'voiceMonth', dim: 'PURCHASED_AT', wide: true },
  { id: 'npsGroups', tab: 'voice', kind: 'voiceGroups', dim: 'EVENT_TYPE' },
  { id: 'answers', tab: 'voice', kind: 'voiceAnswers', dim: 'ANSWER' },
];
const isLoyalty = (def: WidgetDef): boolean => LOYALTY_KINDS.includes(def.kind);
const isVoice = (def: WidgetDef): boolean => VOICE_KINDS.includes(def.kind);
const COUNTRY_CODES = ['NO', 'SE', 'DK', 'FI', 'IS'];
const KPIS = ['BUYERS', 'EVENTS', 'ORGANIZATIONS', 'MALE_BUYERS', 'FEMALE_BUYERS', 'YOUNG_BUYERS'] as const;
const KPI_SHARE: Partial<Record<string, string>> = { MALE_BUYERS: 'MALE_SHARE', FEMALE_BUYERS: 'FEMALE_SHARE', YOUNG_BUYERS: 'YOUNG_SHARE' };

interface WidgetView {
  def: WidgetDef;
  card: HTMLElement;
  chartEl: HTMLElement;
  tableEl: HTMLElement;
  statusEl: HTMLElement;
  noteEl: HTMLElement;
  toggle: HTMLButtonElement;
  csvButton: HTMLButtonElement;
  chart: Chart | null;
  cells: Cell[] | null;
  table: Table | null;
  renders: number;
  /** The last answer drawn (tab "Audience voice": redrawn when the chart's metric changes). */
  result?: InsightResult;
}
const views = new Map<string, WidgetView>();
const showTable = new Set<string>();
let resizeObserver: ResizeObserver | null = null;

function dimLabel(dim: string): string {
  return state.catalog?.dimensions.find((d) => d.dimension === dim)?.label ?? dim;
}
function bucketLabel(dim: string, code: string): string {
  if (dim === 'REGION') return state.regions.find((r) => r.code === code)?.label ?? code;
  return state.catalog?.dimensions.find((d) => d.dimension === dim)?.buckets.find((b) => b.code === code)?.label ?? code;
}
function axisName(def: WidgetDef): string {
  return def.axis ? t(def.axis) : dimLabel(def.dim);
}

function widgetCard(def: WidgetDef): HTMLElement {
  const title = t(`w_${def.id}` as Key);
  const chartEl = h('div', { class: 'chart', role: 'img', 'aria-label': title });
  const tableEl = h('div', { class: 'table-wrap', hidden: true, tabindex: 0, 'aria-label': title });
  const statusEl = h('div', { class: 'status', role: 'status', 'aria-live': 'polite' });
  const noteEl = h('p', { class: 'note' });
  const toggle = h('button', { type: 'button', class: 'btn small toggle', 'aria-pressed': 'false' }, t('showTable'));
  const csvButton = h('button', { type: 'button', class: 'btn small csv', disabled: true }, t('downloadCsv'));
  const extraTools: HTMLElement[] = def.kind === 'audience' ? [populationPicker()]
    : def.kind === 'voiceBars' || def.kind === 'voiceMonth' ? [voiceMetricPicker(def)]
      : def.kind === 'voiceAnswers' ? [questionPicker()] : [];
  const card = h('article', { class: `card${def.wide ? ' wide' : ''}`, 'data-widget': def.id, 'data-state': 'loading', 'data-renders': 0,
    'aria-labelledby': `title-${def.id}` },
  h('header', { class: 'card-head' },
    h('div', {}, h('h3', { id: `title-${def.id}` }, title), h('p', { class: 'sub' }, subtitle(def))),
    h('div', { class: 'tools' }, ...extraTools, toggle, csvButton)),
  h('div', { class: 'card-body' }, chartEl, tableEl, statusEl),
  noteEl);
  const view: WidgetView = { def, card, chartEl, tableEl, statusEl, noteEl, toggle, csvButton, chart: null, cells: null, table: null, renders: 0 };
  toggle.addEventListener('click', () => {
    if (showTable.has(def.id)) showTable.delete(def.id);
    else showTable.add(def.id);
    applyMode(view);
  });
  csvButton.addEventListener('click', () => downloadCsv(view));
  views.set(def.id, view);
  return card;
}

function populationPicker(): HTMLElement {
  const names = t('countryNames').split(',');
  const select = h('select', { id: 'f-popCountry', 'data-control': 'popCountry', class: 'small' },
    ...COUNTRY_CODES.map((cc, i) => h('option', { value: cc, selected: cc === populationCountry() }, names[i] ?? cc)));
  select.addEventListener('change', () => { state.popCountry = select.value; state.stale.loyalty = true; void loadTab('loyalty', true); });
  return h('div', { class: 'field inline' }, h('label', { for: 'f-popCountry' }, t('populationOf')), select);
}
/** NPS or satisfaction in a chart of the tab "Audience voice" (the table shows both): redrawn, no request. */
function voiceMetricPicker(def: WidgetDef): HTMLElement {
  const id = `f-voiceMetric-${def.id}`;
  const select = h('select', { id, 'data-control': `voiceMetric-${def.id}`, class: 'small' },
    ...VOICE_METRICS.map((m) => h('option', { value: m, selected: m === voiceMetric(def) }, t(m === 'NPS' ? 'metricNps' : 'metricSatisfaction'))));
  select.addEventListener('change', () => {
    state.voiceMetric[def.id] = select.value as VoiceMetric;
    const view = views.get(def.id);
    const sub = view?.card.querySelector('.sub');
    if (sub && view) sub.textContent = subtitle(view.def);
    if (view?.result) renderWidget(view, view.result);
  });
  return h('div', { class: 'field inline' }, h('label', { for: id }, t('voiceShow')), select);
}
function voiceMetric(def: WidgetDef): VoiceMetric {
  return state.voiceMetric[def.id] ?? 'NPS';
}
/** The member's choice questions (scope OWN); filled when the tab's data arrive. */
function questionPicker(): HTMLElement {
  const select = h('select', { id: 'f-voiceQuestion', 'data-control': 'voiceQuestion', class: 'small question-select', disabled: true });
  select.addEventListener('change', () => {
    state.voiceQuestion = select.value;
    void loadAnswers(variables(), controllers.voice?.signal);
  });
  return h('div', { class: 'field inline question-field', hidden: true }, h('label', { for: 'f-voiceQuestion' }, t('question')), select);
}
function fillQuestions(): void {
  const select = document.querySelector<HTMLSelectElement>('#f-voiceQuestion');
  if (!select) return;
  const field = select.parentElement as HTMLElement;
  const own = voiceOwn();
  field.hidden = !own;
  select.disabled = !own || state.voiceQuestions.length === 0;
  select.replaceChildren(...state.voiceQuestions.map((q) => h('option', { value: q.code, selected: q.code === state.voiceQuestion, title: q.label }, q.label)));
}
const voiceOwn = (): boolean => canUseOwn() && state.scope === 'OWN';

function populationCountry(): string {
  return state.popCountry || state.filters.country || state.me?.organization?.country || 'NO';
}

function loyaltySubtitle(def: WidgetDef): string {
  switch (def.kind) {
    case 'returning': return `${t('unitBuyers')} / ${t('returningShare')} · ${t('axisMonth')}`;
    case 'shares': return `${t('unitShare')} · ${dimLabel(def.dim)}`;
    case 'leadCurve': return `${t('unitShareTickets')} · ${dimLabel(def.dim)}`;
    case 'reachMap': return `${t('perThousand')} · ${dimLabel(def.dim)}`;
    case 'audience': return `${t('audienceIndex')} · ${t('ageGroup')} × ${t('gender')} · ${t('populationOf')} ${t('countryNames').split(',')[COUNTRY_CODES.indexOf(populationCountry())] ?? populationCountry()}`;
    default: return t('growthSub');
  }
}

function voiceSubtitle(def: WidgetDef): string {
  const m = t(voiceMetric(def) === 'NPS' ? 'metricNps' : 'metricSatisfaction');
  switch (def.kind) {
    case 'voiceBars': return `${m} ± ${t('interval95')} · ${dimLabel(def.dim)}`;
    case 'voiceMonth': return `${m} ± ${t('interval95')} · ${t('axisAnswerMonth')}`;
    case 'voiceGroups': return `${t('shareOfRespondents')} · ${dimLabel(def.dim)}`;
    default: return t('answersShare');
  }
}

function subtitle(def: WidgetDef): string {
  if (isLoyalty(def)) return loyaltySubtitle(def);
  if (isVoice(def)) return voiceSubtitle(def);
  const unit = state.scope === 'OWN' && state.peer ? `${t('unitBuyers')} / ${t('unitShare')}` : t('unitBuyers');
  if (def.kind === 'ageGender') return `${unit} · ${t('ageGroup')} × ${t('gender')}`;
  if (def.kind === 'heatmap') return `${unit} · ${t('axisWeekday')} × ${t('axisHour')}`;
  return `${unit} · ${axisName(def)}`;
}

function applyMode(view: WidgetView): void {
  const table = showTable.has(view.def.id);
  view.toggle.textContent = table ? t('showChart') : t('showTable');
  view.toggle.setAttribute('aria-pressed', String(table));
  view.tableEl.hidden = !table;
  view.chartEl.hidden = table;
  view.card.dataset.mode = table ? 'table' : 'chart';
  if (!table && view.cells) requestAnimationFrame(() => view.chart?.resize());
}

function setStatus(view: WidgetView, kind: 'loading' | 'ready' | 'empty' | 'error' | 'unavailable' | 'period', err?: ApiError | Error): void {
  view.card.dataset.state = kind;
  view.card.setAttribute('aria-busy', String(kind === 'loading'));
  view.statusEl.replaceChildren();
  view.statusEl.className = `status ${kind}`;
  if (kind === 'loading') view.statusEl.append(h('span', { class: 'spinner', 'aria-hidden': 'true' }), t('loading'));
  if (kind === 'empty') view.statusEl.append(h('p', {}, t('empty')));
  if (kind === 'period') view.statusEl.append(h('p', { class: 'err-title' }, t('growthNeedsPeriodTitle')), h('p', { class: 'err-msg' }, t('growthNeedsPeriod')));
  if (kind === 'error' || kind === 'unavailable') {
    const api = err instanceof ApiError ? err : null;
    const parts: (Node | null)[] = [
      h('p', { class: 'err-title' }, kind === 'unavailable' ? t('unavailable') : t('errorTitle')),
      h('p', { class: 'err-msg' }, err?.message ?? ''),
      api?.hint ? h('p', { class: 'err-hint' }, `${t('hint')}: ${api.hint}`) : null,
      api?.code ? h('p', { class: 'err-code' }, api.code) : null,
      kind === 'error' ? h('button', { type: 'button', class: 'btn small', onclick: () => loadTab(view.def.tab, true) }, t('retry')) : null,
    ];
    view.statusEl.append(...parts.filter((p): p is Node => p !== null));
  }
  if (kind !== 'ready') view.csvButton.disabled = kind !== 'loading' || !view.table;
  view.toggle.disabled = kind === 'unavailable' || kind === 'error' || kind === 'period';
}

function renderLoyaltyWidget(view: WidgetView, result: InsightResult, growth?: GrowthInput): void {
  const def = view.def;
  const title = t(`w_${def.id}` as Key);
  const built = buildLoyalty(def.kind as LoyaltyKind, result, {
    dim: def.dim, dimLabel, regionLabels: new Map(state.regions.map((r) => [r.code, r.label])), countryFilter: state.filters.country || null, growth,
  }, title);
  view.cells = [];
  view.table = built.table;
  view.renders += 1;
  view.card.dataset.renders = String(view.renders);
  view.card.dataset.suppressed = String(built.suppressed);
  const adjusted = Boolean(result.meta?.populationAdjusted || growth?.market?.meta?.populationAdjusted);
  view.card.dataset.adjusted = String(adjusted);
  const notes = [...built.notes, built.suppressed ? t('suppressedNote', { n: built.suppressed }) : '', adjusted ? t('adjustedNote') : ''];
  view.noteEl.replaceChildren(...notes.filter(Boolean).flatMap((n, i) => [i ? ' ' : '', h('span', { class: i === 0 && def.kind === 'growth' ? 'note-lead' : 'note-part' }, n)]));
  renderTable(view, built.table, built.labelColumns);
  if (built.empty) {
    view.chart?.clear();
    if (built.html) view.chartEl.replaceChildren();
    setStatus(view, 'empty');
    view.csvButton.disabled = true;
    return;
  }
  setStatus(view, 'ready');
  view.csvButton.disabled = false;
  if (built.html) {
    built.draw(view.chartEl, () => { throw new Error('no chart'); });
  } else {
    built.draw(view.chartEl, () => {
      view.chart ??= initChart(view.chartEl);
      view.chart.resize();
      resizeObserver?.observe(view.chartEl);
      return view.chart;
    });
  }
  applyMode(view);
}

function renderVoiceWidget(view: WidgetView, result: InsightResult): void {
  const def = view.def;
  view.result = result;
  const question = def.kind === 'voiceAnswers' && voiceOwn()
    ? state.voiceQuestions.find((q) => q.code === state.voiceQuestion)?.label ?? null : null;
  const built = buildVoice(def.kind as VoiceKind, result, {
    dim: def.dim, dimLabel, metric: voiceMetric(def), kpis: state.voiceKpis, question, canPickQuestion: canUseOwn(),
  }, t(`w_${def.id}` as Key));
  view.cells = [];
  view.table = built.table;
  view.renders += 1;
  view.card.dataset.renders = String(view.renders);
  view.card.dataset.suppressed = String(built.suppressed);
  view.card.dataset.unreliable = String(built.unreliable);
  view.card.dataset.intervals = String(built.intervals);
  const notes = [...built.notes, built.suppressed ? t('suppressedNote', { n: built.suppressed }) : '', built.unreliable ? t('unreliableNote') : ''];
  view.noteEl.replaceChildren(...notes.filter(Boolean).flatMap((n, i) => [i ? ' ' : '', h('span', { class: 'note-part' }, n)]));
  renderTable(view, built.table, built.labelColumns, voiceReason);
  if (built.empty) {
    view.chart?.clear();
    setStatus(view, 'empty');
    view.csvButton.disabled = true;
    return;
  }
  setStatus(view, 'ready');
  view.csvButton.disabled = false;
  built.draw(view.chartEl, () => {
    view.chart ??= initChart(view.chartEl);
    view.chart.resize();
    resizeObserver?.observe(view.chartEl);
    return view.chart;
  });
  applyMode(view);
}

function renderWidget(view: WidgetView, result: InsightResult): void {
  if (isLoyalty(view.def)) return renderLoyaltyWidget(view, result);
  if (isVoice(view.def)) return renderVoiceWidget(view, result);
  const cells = cellsOf(result);
  view.cells = cells;
  const def = view.def;
  const headers = def.kind === 'ageGender' ? [t('ageGroup'), t('gender')]
    : def.kind === 'heatmap' ? [t('axisWeekday'), t('axisHour')] : [axisName(def)];
  const table = tableOf(cells, headers, t('unitBuyers'));
  if (def.kind === 'tilemap') {
    table.header.splice(1, 0, 'ISO 3166-2');
    table.rows.forEach((r, i) => { r.text.splice(1, 0, cells[i].keys[0]); r.csv.splice(1, 0, cells[i].keys[0]); });
  }
  view.table = table;
  view.renders += 1;
  view.card.dataset.renders = String(view.renders);
  const suppressed = cells.filter((c) => c.suppressed).length;
  view.card.dataset.suppressed = String(suppressed);
  const notes = [suppressed ? t('suppressedNote', { n: suppressed }) : '', result.meta?.populationAdjusted ? t('adjustedNote') : ''];
  view.noteEl.textContent = notes.filter(Boolean).join(' ');
  view.card.dataset.adjusted = String(Boolean(result.meta?.populationAdjusted));
  renderTable(view, table, def.kind === 'ageGender' || def.kind === 'heatmap' || def.kind === 'tilemap' ? 2 : 1);
  if (!cells.length) {
    view.chart?.clear();
    if (def.kind === 'tilemap') view.chartEl.replaceChildren();
    setStatus(view, 'empty');
    view.csvButton.disabled = true;
    return;
  }
  setStatus(view, 'ready');
  view.csvButton.disabled = false;
  const description = `${t(`w_${def.id}` as Key)}: ${cells.map((c) => `${c.labels.join(' ')} ${c.suppressed ? suppressedMark(c.reason) : fmtNumber(c.value)}`).join('; ')}`;
  if (def.kind === 'tilemap') {
    drawTileMap(view.chartEl, cells, new Map(state.regions.map((r) => [r.code, r.label])), state.filters.country || null);
  } else {
    if (def.kind === 'barH') view.chartEl.style.height = `${Math.max(300, cells.length * 26 + 90)}px`;
    view.chart ??= initChart(view.chartEl);
    view.chart.resize();
    resizeObserver?.observe(view.chartEl);
    if (def.kind === 'ageGender') drawAgeGender(view.chart, cells, description);
    else if (def.kind === 'heatmap') drawHeatmap(view.chart, cells, description);
    else drawCategory(view.chart, cells, { horizontal: def.kind === 'barH', line: def.kind === 'line', categoryName: def.kind === 'barH' ? '' : axisName(def), description });
  }
  applyMode(view);
}

function renderTable(view: WidgetView, table: Table, labelColumns: number, why: (reason: string | null) => string = reasonText): void {
  const thead = h('thead', {}, h('tr', {}, ...table.header.map((c) => h('th', { scope: 'col' }, c))));
  const tbody = h('tbody', {}, ...table.rows.map((r) => h('tr', { class: r.suppressed ? 'suppressed' : '' },
    ...r.text.map((c, i) => {
      const note = table.header[i] === t('note');
      const td = h('td', { class: i >= labelColumns && !note ? 'num' : '' }, c);
      const hidden = r.hidden ? r.hidden[i] : r.suppressed && c === suppressedMark(r.reason) ? r.reason ?? 'BELOW_THRESHOLD' : null;
      if (hidden) {
        td.className = 'num suppressed-cell';
        td.title = why(hidden);
      }
      return td;
    }))));
  view.tableEl.replaceChildren(h('table', {}, h('caption', {}, `${t(`w_${view.def.id}` as Key)} (${activeFilterText()})`), thead, tbody));
}

function downloadCsv(view: WidgetView): void {
  if (!view.table) return;
  const blob = new Blob(['\ufeff' + toCsv(view.table)], { type: 'text/csv;charset=utf-8' });
  const url = URL.createObjectURL(blob);
  const a = h('a', { href: url, download: `cid-${view.def.id}-${new Date().toISOString().slice(0, 10)}.csv` });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// ---------------------------------------------------------------------------------------------
// KPIs
function kpiBox(metric: string): HTMLElement {
  return h('div', { class: 'kpi', 'data-kpi': metric, 'data-state': 'loading', tabindex: 0 },
    h('span', { class: 'kpi-label' }, t(`kpi_${metric}` as Key)),
    h('span', { class: 'kpi-value' }, '…'),
    h('span', { class: 'kpi-extra' }, ''));
}

function renderKpis(result: InsightResult | null, err?: Error): void {
  const row = result?.rows[0];
  for (const metric of KPIS) {
    const box = document.querySelector<HTMLElement>(`.kpi[data-kpi="${metric}"]`);
    if (!box) continue;
    const valueEl = box.querySelector('.kpi-value') as HTMLElement;
    const extraEl = box.querySelector('.kpi-extra') as HTMLElement;
    box.classList.remove('suppressed');
    box.removeAttribute('title');
    extraEl.textContent = '';
    if (err) {
      box.dataset.state = 'error';
      valueEl.textContent = '–';
      box.title = err.message;
      continue;
    }
    if (!result) {
      box.dataset.state = 'loading';
      continue;
    }
    const m = row?.metrics.find((x) => x.metric === metric);
    box.dataset.state = 'ready';
    if (!m) {
      valueEl.textContent = '–';
      box.dataset.value = '';
      continue;
    }
    if (m.suppressed) {
      box.classList.add('suppressed');
      valueEl.textContent = suppressedMark(m.reason);
      box.dataset.value = 'suppressed';
      box.title = reasonText(m.reason);
      extraEl.textContent = reasonText(m.reason);
      continue;
    }
    valueEl.textContent = fmtNumber(m.value);
    box.dataset.value = String(m.value);
    const shareMetric = KPI_SHARE[metric];
    const share = shareMetric ? row?.metrics.find((x) => x.metric === shareMetric) : undefined;
    const parts: string[] = [];
    if (share && !share.suppressed && share.value !== null) parts.push(t('ofBuyers', { pct: fmtPct(share.value) }));
    const cmp = share?.comparisons?.find((c) => c.kind === 'BENCHMARK');
    if (cmp) {
      if (cmp.suppressed) parts.push(`${t(`peer_${cmp.peerGroup}` as Key)}: ${suppressedMark(cmp.reason)}`);
      else parts.push(`${t(`peer_${cmp.peerGroup}` as Key)}: ${fmtPct(cmp.peerShare ?? cmp.value ?? null)} · ${t('index')} ${fmtNumber(cmp.index)}`);
      if (cmp.suppressed) box.title = reasonText(cmp.reason);
    }
    extraEl.textContent = parts.join(' · ');
  }
}

// ---------------------------------------------------------------------------------------------
// query variables
function iso(d: Date): string {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
export function presetRange(preset: Preset, today = new Date()): { from: string; to: string } | null {
  const y = today.getFullYear();
  if (preset === 'thisYear') return { from: `${y}-01-01`, to: `${y}-12-31` };
  if (preset === 'lastYear') return { from: `${y - 1}-01-01`, to: `${y - 1}-12-31` };
  if (preset === 'last12') {
    const from = new Date(today.getFullYear() - 1, today.getMonth(), today.getDate() + 1);
    return { from: iso(from), to: iso(today) };
  }
  return null;
}
function canUseOwn(): boolean {
  return Boolean(state.me?.organization) && state.me?.role === 'MEMBER';
}
function variables(): Record<string, unknown> {
  const filters = FILTER_DIMS.filter((f) => state.filters[f.key]).map((f) => ({ dimension: f.dim, op: 'IN', values: [state.filters[f.key]] }));
  const scope = canUseOwn() ? state.scope : 'NETWORK';
  return {
    filters: filters.length ? filters : null,
    timeRange: presetRange(state.preset),
    scope,
    compare: scope === 'OWN' && state.peer ? [{ kind: 'BENCHMARK', peerGroup: state.peer }] : null,
    locale: getLang(),
  };
}
function activeFilterText(): string {
  return activeFilterParts().map(([k, v]) => `${k}: ${v}`).join(' · ');
}
function activeFilterParts(): [string, string][] {
  const parts: [string, string][] = [];
  for (const f of FILTER_DIMS) if (state.filters[f.key]) parts.push([t(f.key), bucketLabel(f.dim, state.filters[f.key])]);
  const range = presetRange(state.preset);
  parts.push([t('period'), `${t(`preset_${state.preset}` as Key)}${range ? ` (${range.from} – ${range.to})` : ''}`]);
  const scope = canUseOwn() ? state.scope : 'NETWORK';
  parts.push([t('scope'), scope === 'OWN' ? `${t('scope_OWN')} (${state.me?.organization?.name ?? ''})` : t('scope_NETWORK')]);
  if (scope === 'OWN' && state.peer) parts.push([t('benchmark'), t(`peer_${state.peer}` as Key)]);
  return parts;
}

// ---------------------------------------------------------------------------------------------
// loading data
async function loadTab(tab: TabId, force = false): Promise<void> {
  if (tab === 'myEvents') return loadEvents(); // always fresh: corrections change it
  if (!force && !state.stale[tab]) return;
  if (tab === 'voice') return loadVoice();
  state.stale[tab] = false;
  controllers[tab]?.abort();
  const controller = new AbortController();
  controllers[tab] = controller;
  const tabViews = [...views.values()].filter((v) => v.def.tab === tab);
  tabViews.forEach((v) => setStatus(v, 'loading'));
  if (tab === 'demography') renderKpis(null);
  if (tab === 'loyalty') { renderLoyaltyKpis(null); updateSince(); }
  const vars = variables();
  const query = tab === 'demography' ? tabDemographyQuery : tab === 'events' ? tabEventsQuery : loyaltyTabQuery;
  const sent = tab === 'loyalty' ? { ...vars, audienceFilters: audienceFilters(vars) } : vars;
  const second = tab === 'events' ? loadHeatmap(vars, controller.signal) : tab === 'loyalty' ? loadGrowth(vars, controller.signal) : Promise.resolve();
  const counter = `loaded${tab[0].toUpperCase()}${tab.slice(1)}`;
  try {
    const data = await gql<Record<string, InsightResult>>(query, sent, { locale: getLang(), signal: controller.signal });
    if (controller.signal.aborted) return;
    for (const v of tabViews) if (data[v.def.id]) renderWidget(v, data[v.def.id]);
    if (tab === 'demography') renderKpis(data.kpis);
    if (tab === 'loyalty') renderLoyaltyKpis(data.kpis);
    document.body.dataset[counter] = String(Number(document.body.dataset[counter] ?? 0) + 1);
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    if (err instanceof ApiError && err.unauthenticated) return signOut(`${t('sessionExpired')} ${err.message}`, err.hint);
    state.stale[tab] = true;
    for (const v of tabViews) if (v.def.kind !== 'heatmap' && v.def.kind !== 'growth') setStatus(v, 'error', err as Error);
    if (tab === 'demography') renderKpis(null, err as Error);
    if (tab === 'loyalty') renderLoyaltyKpis(null, err as Error);
  }
  await second;
}

/** Tab "Audience voice": one request for the KPIs and charts (and, in scope OWN, the choice questions), then the answers. */
async function loadVoice(): Promise<void> {
  state.stale.voice = false;
  controllers.voice?.abort();
  const controller = new AbortController();
  controllers.voice = controller;
  const tabViews = [...views.values()].filter((v) => v.def.tab === 'voice');
  tabViews.forEach((v) => setStatus(v, 'loading'));
  renderVoiceKpis(null);
  const vars = variables();
  const own = voiceOwn();
  const filters = (vars.filters as unknown[] | null) ?? [];
  const sent = { ...vars, own, questionFilters: [...filters, { dimension: 'QUESTION_KIND', op: 'IN', values: ['choice'] }] };
  try {
    const data = await gql<Record<string, InsightResult | undefined>>(voiceTabQuery, sent, { locale: getLang(), signal: controller.signal });
    if (controller.signal.aborted) return;
    state.voiceKpis = data.kpis ?? null;
    renderVoiceKpis(data.kpis ?? null, undefined, data.responseRate ?? null);
    for (const v of tabViews) { const r = data[v.def.id]; if (r) renderWidget(v, r); }
    state.voiceQuestions = own ? (data.questions?.rows ?? [])
      .filter((r) => r.dimensions[0]?.value)
      .map((r) => ({ code: r.dimensions[0].value as string, label: r.dimensions[0].label ?? (r.dimensions[0].value as string) })) : [];
    if (!state.voiceQuestions.some((q) => q.code === state.voiceQuestion)) state.voiceQuestion = state.voiceQuestions[0]?.code ?? '';
    fillQuestions();
    document.body.dataset.loadedVoice = String(Number(document.body.dataset.loadedVoice ?? 0) + 1);
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    if (err instanceof ApiError && err.unauthenticated) return signOut(`${t('sessionExpired')} ${err.message}`, err.hint);
    state.stale.voice = true;
    for (const v of tabViews) setStatus(v, 'error', err as Error);
    renderVoiceKpis(null, err as Error);
    return;
  }
  await loadAnswers(vars, controller.signal);
}

/** The answers to the chosen question (OWN), or to every choice question in the network, by option. */
async function loadAnswers(vars: Record<string, unknown>, signal?: AbortSignal): Promise<void> {
  const view = views.get('answers');
  if (!view) return;
  const own = voiceOwn();
  if (own && !state.voiceQuestion) {
    view.chart?.clear();
    view.table = null;
    view.tableEl.replaceChildren();
    view.noteEl.replaceChildren();
    setStatus(view, 'empty');
    view.statusEl.replaceChildren(h('p', {}, t('noChoiceQuestions')));
    return;
  }
  setStatus(view, 'loading');
  const base = (vars.filters as unknown[] | null) ?? [];
  const filters = [...base, own ? { dimension: 'SURVEY_QUESTION', op: 'IN', values: [state.voiceQuestion] }
    : { dimension: 'QUESTION_KIND', op: 'IN', values: ['choice'] }];
  try {
    const data = await gql<{ answers: InsightResult }>(voiceAnswersQuery,
      { filters, timeRange: vars.timeRange, scope: vars.scope, locale: vars.locale }, { locale: getLang(), signal });
    if (signal?.aborted) return;
    renderWidget(view, data.answers);
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    setStatus(view, 'error', err as Error);
    view.chart?.clear();
  }
}

/** The audience index's filters: the dashboard's, the population compared with, the known age groups and genders. */
function audienceFilters(vars: Record<string, unknown>): unknown[] {
  const ages = (state.catalog?.dimensions.find((d) => d.dimension === 'AGE_GROUP')?.buckets ?? []).map((b) => b.code).filter((c) => c !== 'unknown');
  return [
    ...((vars.filters as unknown[] | null) ?? []),
    { dimension: 'BUYER_COUNTRY', op: 'IN', values: [populationCountry()] },
    ...(ages.length ? [{ dimension: 'AGE_GROUP', op: 'IN', values: ages }] : []),
    { dimension: 'GENDER', op: 'IN', values: ['male', 'female'] },
  ];
}

/** Growth needs a closed period that has happened: "this year" ends today. */
export function growthRange(preset: Preset, today = new Date()): Period | null {
  const range = presetRange(preset, today);
  if (!range) return null;
  const now = iso(today);
  return { from: range.from, to: range.to > now ? now : range.to };
}
function yearEarlier(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  const date = new Date(y - 1, m - 1, d);
  if (date.getMonth() !== m - 1) date.setDate(0); // 29 February
  return iso(date);
}
/** The peers of a benchmark as filters of the network (the network's growth includes the member itself). */
function peerFilters(base: { dimension: string; op: string; values: string[] }[]): unknown[] {
  const org = state.me?.organization;
  const dim = state.peer === 'SAME_ORG_TYPE' ? 'ORG_TYPE' : state.peer === 'SAME_REGION' ? 'REGION' : state.peer === 'SAME_COUNTRY' ? 'COUNTRY' : null;
  const value = state.peer === 'SAME_ORG_TYPE' ? org?.orgType : state.peer === 'SAME_REGION' ? org?.region : org?.country;
  if (!dim || !value) return base;
  return [...base.filter((f) => f.dimension !== dim), { dimension: dim, op: 'IN', values: [value] }];
}

async function loadGrowth(vars: Record<string, unknown>, signal: AbortSignal): Promise<void> {
  const view = views.get('growth');
  if (!view) return;
  const period = growthRange(state.preset);
  if (!period) {
    view.chart?.clear();
    view.table = null;
    setStatus(view, 'period');
    view.noteEl.replaceChildren();
    return;
  }
  const own = vars.scope === 'OWN';
  const base = (vars.filters as { dimension: string; op: string; values: string[] }[] | null) ?? [];
  const growthVars = {
    filters: vars.filters, timeRange: period, scope: vars.scope, locale: vars.locale,
    compare: [{ kind: 'SAME_PERIOD_LAST_YEAR', likeForLike: true }],
    market: own, marketFilters: own ? (peerFilters(base).length ? peerFilters(base) : null) : null,
  };
  try {
    const data = await gql<{ growth: InsightResult; market?: InsightResult }>(growthQuery, growthVars, { locale: getLang(), signal });
    if (signal.aborted) return;
    const marketLabel = `${t('scope_NETWORK')}${state.peer ? ` · ${t(`peer_${state.peer}` as Key)}` : ''} (${t('inclYou')})`;
    renderLoyaltyWidget(view, data.growth, {
      main: data.growth, mainLabel: own ? state.me?.organization?.name ?? t('scope_OWN') : t('scope_NETWORK'),
      market: data.market ?? null, marketLabel, period, prior: { from: yearEarlier(period.from), to: yearEarlier(period.to) },
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    setStatus(view, 'error', err as Error);
    view.chart?.clear();
  }
}

function updateSince(): void {
  const el = document.getElementById('loyalty-since');
  if (!el) return;
  const own = canUseOwn() && state.scope === 'OWN';
  const since = own ? state.me?.organization?.dataSince : state.catalog?.dataSince;
  if (!since) { el.textContent = ''; return; }
  const [y, m, d] = since.split('-').map(Number);
  const date = new Intl.DateTimeFormat(intlLocale(), { year: 'numeric', month: 'long', day: 'numeric' }).format(new Date(y, m - 1, d));
  el.textContent = own ? t('firstTimeSinceOwn', { org: state.me?.organization?.name ?? '', date }) : t('firstTimeSince', { date });
  el.dataset.since = since;
}

async function loadHeatmap(vars: Record<string, unknown>, signal: AbortSignal): Promise<void> {
  const view = views.get('weekdayHour');
  if (!view) return;
  try {
    const data = await gql<{ weekdayHour: InsightResult }>(weekdayHourQuery, vars, { locale: getLang(), signal });
    if (!signal.aborted) renderWidget(view, data.weekdayHour);
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    const api = err instanceof ApiError ? err : null;
    // The API may not yet group by two date parts of one time dimension: explain instead of failing.
    setStatus(view, api && (api.code === 'BAD_QUERY' || api.code === 'GRAPHQL_VALIDATION') ? 'unavailable' : 'error', err as Error);
    view.chart?.clear();
  }
}

function refresh(): void {
  state.generation += 1;
  state.stale = { demography: true, events: true, loyalty: true, voice: true, myEvents: true };
  updateChrome();
  void loadTab(state.tab);
  refreshHighlights();
}

/** The peer group of the highlights and the report: the chosen benchmark, else the same organization type. */
function reportPeer(): string {
  return state.peer || 'SAME_ORG_TYPE';
}
/** OWN against the peer group; in scope NETWORK the filtered selection against the network (nothing without filters). */
function highlightAsk(): HighlightAsk {
  const vars = variables();
  const filters = (vars.filters as unknown[] | null) ?? null;
  if (vars.scope === 'OWN') return { scope: 'OWN', peerGroup: reportPeer(), filters };
  return filters ? { scope: 'NETWORK', filters } : null;
}
function refreshHighlights(): void {
  controllers.highlights?.abort();
  const controller = new AbortController();
  controllers.highlights = controller;
  void loadHighlights(highlightAsk(), presetRange(state.preset), controller.signal);
}

// ---------------------------------------------------------------------------------------------
// the page
function languagePicker(onChange: (lang: Lang) => void): HTMLElement {
  const id = `lang-${Math.random().toString(36).slice(2, 7)}`;
  const select = h('select', { id, class: 'lang-select', 'data-control': 'language' },
    ...LANGS.map((l) => h('option', { value: l.code, selected: l.code === getLang(), lang: l.code }, l.name)));
  select.addEventListener('change', () => onChange(select.value as Lang));
  return h('div', { class: 'field inline' }, h('label', { for: id }, t('language')), select);
}

function changeLanguage(lang: Lang): void {
  setLang(lang);
  localStorage.setItem(LANG_KEY, lang);
  document.documentElement.lang = lang;
}

async function showSignIn(message?: string, hint?: string | null): Promise<void> {
  disposeCharts();
  document.title = `${t('signInTitle')} · CID`;
  const input = h('input', { id: 'token', name: 'token', type: 'password', autocomplete: 'off', spellcheck: 'false', class: 'token-input',
    placeholder: 'cidg_…', 'aria-describedby': 'signin-msg' });
  const msg = h('div', { id: 'signin-msg', class: message ? 'message error' : 'message', role: 'alert' },
    message ? h('strong', {}, message) : null, hint ? h('p', {}, `${t('hint')}: ${hint}`) : null);
  const form = h('form', { class: 'signin-form' },
    h('label', { for: 'token' }, t('tokenLabel')), input,
    h('button', { type: 'submit', class: 'btn primary' }, t('signIn')));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    const token = input.value.trim();
    if (!token) {
      msg.className = 'message error';
      msg.replaceChildren(h('strong', {}, t('tokenMissing')));
      return;
    }
    void signIn(token, msg);
  });
  const demo = h('section', { class: 'demo', hidden: true, 'aria-labelledby': 'demo-title' });
  root.replaceChildren(h('main', { class: 'signin', id: 'signin' },
    h('div', { class: 'signin-card' },
      h('div', { class: 'signin-top' }, h('div', {}, h('h1', {}, t('appTitle')), h('p', { class: 'tagline' }, t('appSubtitle'))),
        languagePicker((lang) => { changeLanguage(lang); void showSignIn(message, hint); })),
      h('h2', {}, t('signInTitle')), h('p', {}, t('signInIntro')), msg, form, demo)));
  input.focus();
  const tokens = await demoTokens();
  if (tokens.length) {
    demo.hidden = false;
    demo.append(h('h2', { id: 'demo-title' }, t('demoPicker')), h('p', {}, t('demoPickerIntro')),
      h('ul', { class: 'demo-list' }, ...tokens.map((tok: DemoToken) => h('li', {},
        h('button', { type: 'button', class: 'btn demo-token', 'data-role': tok.role, 'data-org': tok.org_id ?? '',
          onclick: () => void signIn(tok.token, msg) },
        h('span', { class: 'demo-name' }, tok.name),
        h('span', { class: 'demo-meta' }, [t(`role_${tok.role.toUpperCase()}` as Key), tok.org_type ? bucketLabelFallback(tok.org_type) : '', tok.country ?? ''].filter(Boolean).join(' · ')))))));
  }
}
function bucketLabelFallback(code: string): string {
  return code.replace(/_/g, ' ');
}

async function signIn(token: string, msg: HTMLElement): Promise<void> {
  msg.className = 'message';
  msg.replaceChildren(t('signInChecking'));
  try {
    await bootstrap(token);
    setToken(token);
    renderDashboard();
  } catch (err) {
    setToken(null);
    const api = err instanceof ApiError ? err : null;
    msg.className = 'message error';
    const title = api?.status === 0 ? t('serverUnreachable') : t('tokenRejected');
    msg.replaceChildren(h('strong', {}, `${title}: ${(err as Error).message}`), api?.hint ? h('p', {}, `${t('hint')}: ${api.hint}`) : '');
  }
}

async function bootstrap(token?: string): Promise<void> {
  const data = await gql<Bootstrap>(bootstrapQuery, { locale: getLang() }, { token: token ?? null, locale: getLang() });
  state.me = data.me;
  state.catalog = data.catalog;
  privacy.k = data.catalog.privacy.k;
  privacy.minOrganizations = data.catalog.privacy.minOrganizations;
  for (const d of data.catalog.dimensions) if (d.buckets.length > 1) bucketOrder.set(d.dimension, d.buckets.map((b) => b.code));
  state.regions = data.regions.rows
    .map((r) => ({ code: r.dimensions[0]?.value ?? '', label: r.dimensions[0]?.label ?? '' }))
    .filter((r) => r.code && r.code !== 'unknown')
    .sort((a, b) => a.code.localeCompare(b.code));
  if (!canUseOwn()) state.scope = 'NETWORK';
}

function signOut(message?: string, hint?: string | null): void {
  Object.values(controllers).forEach((c) => c?.abort());
  setToken(null);
  state.me = null;
  void showSignIn(message, hint);
}

function disposeCharts(): void {
  disposeEvents();
  resizeObserver?.disconnect();
  for (const v of views.values()) v.chart?.dispose();
  views.clear();
}

function select(key: string, label: string, options: { value: string; label: string }[], value: string, onChange: (v: string) => void, extra: Attrs = {}): HTMLElement {
  const id = `f-${key}`;
  const el = h('select', { id, 'data-control': key, ...extra }, ...options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
  el.addEventListener('change', () => onChange(el.value));
  return h('div', { class: 'field', 'data-field': key }, h('label', { for: id }, label), el);
}

function filterBar(): HTMLElement {
  const all = { value: '', label: t('all') };
  const fields: HTMLElement[] = [];
  for (const f of FILTER_DIMS) {
    let options: { value: string; label: string }[];
    if (f.dim === 'REGION') {
      options = state.regions.filter((r) => !state.filters.country || r.code.startsWith(`${state.filters.country}-`))
        .map((r) => ({ value: r.code, label: `${r.label} (${r.code})` }));
    } else {
      options = (state.catalog?.dimensions.find((d) => d.dimension === f.dim)?.buckets ?? [])
        .filter((b) => b.code !== 'unknown').map((b) => ({ value: b.code, label: b.label }));
    }
    fields.push(select(f.key, f.dim === 'EVENT_CATEGORY' ? t('eventCategory') : dimLabel(f.dim) || t(f.key), [all, ...options], state.filters[f.key], (v) => {
      state.filters[f.key] = v;
      if (f.key === 'country' && state.filters.region && !state.filters.region.startsWith(`${v}-`)) state.filters.region = '';
      if (f.key === 'country') rebuildFilters();
      refresh();
    }));
  }
  fields.push(select('period', t('period'), (['last12', 'thisYear', 'lastYear', 'all'] as Preset[]).map((p) => ({ value: p, label: t(`preset_${p}` as Key) })),
    state.preset, (v) => { state.preset = v as Preset; refresh(); }));
  if (canUseOwn()) {
    fields.push(select('scope', t('scope'), [{ value: 'OWN', label: t('scope_OWN') }, { value: 'NETWORK', label: t('scope_NETWORK') }],
      state.scope, (v) => { state.scope = v as Scope; rebuildFilters(); refresh(); }));
    fields.push(select('peer', t('benchmark'), [{ value: '', label: t('benchmarkNone') }, ...PEER_GROUPS.map((p) => ({ value: p, label: t(`peer_${p}` as Key) }))],
      state.peer, (v) => { state.peer = v; refresh(); },
      state.scope === 'OWN' ? {} : { disabled: true, title: t('benchmarkOwnOnly'), 'aria-describedby': 'peer-help' }));
  }
  const bar = h('section', { class: 'filters', id: 'filters', 'aria-label': t('filters') }, ...fields);
  if (canUseOwn() && state.scope !== 'OWN') bar.append(h('p', { id: 'peer-help', class: 'help' }, t('benchmarkOwnOnly')));
  return bar;
}
function rebuildFilters(): void {
  const old = document.getElementById('filters');
  const focused = (document.activeElement as HTMLElement | null)?.dataset?.control;
  old?.replaceWith(filterBar());
  if (focused) document.querySelector<HTMLElement>(`[data-control="${focused}"]`)?.focus();
}

function updateChrome(): void {
  const chips = document.getElementById('active-filters');
  if (chips) {
    chips.replaceChildren(h('span', { class: 'af-title' }, `${t('activeFilters')}:`),
      ...activeFilterParts().map(([k, v]) => h('span', { class: 'chip' }, h('b', {}, `${k}: `), v)));
  }
  for (const v of views.values()) {
    const sub = v.card.querySelector('.sub');
    if (sub) sub.textContent = subtitle(v.def);
  }
  updateSince();
}

function renderDashboard(): void {
  disposeCharts();
  document.title = `${t('appTitle')} · CID`;
  const me = state.me as Me;
  const org = me.organization;
  const orgTypeLabel = org ? bucketLabel('ORG_TYPE', org.orgType) : '';
  const who = h('div', { class: 'who', id: 'who' },
    h('span', { class: 'org-name' }, org ? org.name : t('noOrganization')),
    h('span', { class: 'org-meta' }, [t(`role_${me.role}` as Key), orgTypeLabel, org ? `${bucketLabel('REGION', org.region)}, ${bucketLabel('COUNTRY', org.country)}` : ''].filter(Boolean).join(' · ')));
  const header = h('header', { class: 'top' },
    h('div', { class: 'brand' }, h('h1', {}, t('appTitle')), h('p', { class: 'tagline' }, t('appSubtitle'))),
    who,
    h('nav', { class: 'top-tools', 'aria-label': 'CID' },
      languagePicker((lang) => { changeLanguage(lang); void relocalize(); }),
      reportButton(() => {
        const range = presetRange(state.preset);
        return { from: range?.from ?? null, to: range?.to ?? null, peerGroup: reportPeer() };
      }),
      h('a', { href: '/graphiql', class: 'btn small link' }, t('graphiql')),
      h('button', { type: 'button', class: 'btn small', id: 'signout', onclick: () => signOut() }, t('signOut'))));

  const tabs: { id: TabId; label: string }[] = [{ id: 'demography', label: t('tabDemography') }, { id: 'events', label: t('tabEvents') },
    { id: 'loyalty', label: t('tabLoyalty') }, { id: 'voice', label: t('tabVoice') }];
  if (canUseOwn()) tabs.push({ id: 'myEvents', label: t('tabMyEvents') });
  else if (state.tab === 'myEvents') state.tab = 'events';
  const tablist = h('div', { role: 'tablist', class: 'tabs', 'aria-label': t('appTitle') },
    ...tabs.map((tb) => h('button', { role: 'tab', type: 'button', id: `tab-${tb.id}`, 'aria-controls': `panel-${tb.id}`,
      'aria-selected': String(state.tab === tb.id), tabindex: state.tab === tb.id ? 0 : -1, 'data-tab': tb.id }, tb.label)));
  tablist.addEventListener('click', (e) => {
    const btn = (e.target as HTMLElement).closest<HTMLElement>('[role=tab]');
    if (btn) selectTab(btn.dataset.tab as TabId, true);
  });
  tablist.addEventListener('keydown', (e) => {
    const order: TabId[] = tabs.map((tb) => tb.id);
    const i = order.indexOf(state.tab);
    let next: TabId | null = null;
    if (e.key === 'ArrowRight') next = order[(i + 1) % order.length];
    if (e.key === 'ArrowLeft') next = order[(i + order.length - 1) % order.length];
    if (e.key === 'Home') next = order[0];
    if (e.key === 'End') next = order[order.length - 1];
    if (next) { e.preventDefault(); selectTab(next, true); }
  });

  const kpis = h('section', { class: 'kpis', 'aria-label': 'KPI' }, ...KPIS.map(kpiBox));
  const panel = (id: TabId, ...children: HTMLElement[]) => h('section', { role: 'tabpanel', id: `panel-${id}`, 'aria-labelledby': `tab-${id}`,
    hidden: state.tab !== id, tabindex: 0, class: 'panel' }, ...children);
  const grid = (tab: TabId) => h('div', { class: 'grid' }, ...WIDGETS.filter((w) => w.tab === tab).map(widgetCard));
  root.replaceChildren(header,
    h('main', { class: 'dash' },
      filterBar(),
      h('p', { class: 'active-filters', id: 'active-filters', 'aria-live': 'polite' }),
      tablist,
      highlightsSection(),
      panel('demography', kpis, grid('demography')),
      panel('events', grid('events')),
      panel('loyalty', h('p', { class: 'tab-intro', id: 'loyalty-since' }), loyaltyKpiBoxes(), grid('loyalty')),
      panel('voice', h('p', { class: 'tab-intro', id: 'voice-intro' }, t('voiceIntro')), voiceKpiBoxes(), grid('voice')),
      ...(canUseOwn() ? [panel('myEvents', eventsPanel({
        buckets: (dim) => (state.catalog?.dimensions.find((d) => d.dimension === dim)?.buckets ?? []).filter((b) => b.code !== 'unknown'),
        onApplied: () => { state.stale = { ...state.stale, demography: true, events: true, loyalty: true, voice: true }; },
        onUnauthenticated: (err) => signOut(`${t('sessionExpired')} ${err.message}`, err.hint),
      }))] : [])));
  resizeObserver = new ResizeObserver((entries) => {
    for (const entry of entries) {
      for (const v of views.values()) if (v.chartEl === entry.target && entry.contentRect.width > 0) v.chart?.resize();
    }
  });
  document.body.dataset.tab = state.tab;
  for (const v of views.values()) { applyMode(v); setStatus(v, 'loading'); }
  updateChrome();
  state.stale = { demography: true, events: true, loyalty: true, voice: true, myEvents: true };
  void loadTab(state.tab);
  refreshHighlights();
}

function selectTab(tab: TabId, focus: boolean): void {
  state.tab = tab;
  document.body.dataset.tab = tab;
  for (const btn of document.querySelectorAll<HTMLElement>('[role=tab]')) {
    const on = btn.dataset.tab === tab;
    btn.setAttribute('aria-selected', String(on));
    btn.tabIndex = on ? 0 : -1;
    if (on && focus) btn.focus();
  }
  for (const p of document.querySelectorAll<HTMLElement>('[role=tabpanel]')) p.hidden = p.id !== `panel-${tab}`;
  for (const v of views.values()) if (v.def.tab === tab) requestAnimationFrame(() => v.chart?.resize());
  void loadTab(tab);
}

async function relocalize(): Promise<void> {
  try {
    await bootstrap();
  } catch (err) {
    if (err instanceof ApiError && err.unauthenticated) return signOut(`${t('sessionExpired')} ${err.message}`, err.hint);
  }
  renderDashboard();
}

// ---------------------------------------------------------------------------------------------
async function start(): Promise<void> {
  const saved = localStorage.getItem(LANG_KEY);
  changeLanguage(isLang(saved) ? saved : 'nb');
  const token = getToken();
  if (!token) return showSignIn();
  try {
    await bootstrap(token);
    renderDashboard();
  } catch (err) {
    const api = err instanceof ApiError ? err : null;
    setToken(null);
    await showSignIn(`${api?.unauthenticated ? t('tokenRejected') : t('serverUnreachable')}: ${(err as Error).message}`, api?.hint);
  }
}

void start();
