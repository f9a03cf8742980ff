// Tab "My events": a member's own events with their labels, source and confidence; filter, sort,
// page through them and correct a type and genre in place (the classifyEvent mutation).
import { ApiError, gql } from './api';
import { h } from './dom';
import { getLang, intlLocale, t } from './i18n';
import type { Key } from './i18n';
import classifyMutation from './queries/classify_event.graphql?raw';
import myEventsQuery from './queries/my_events.graphql?raw';

export interface MyEvent {
  id: string;
  title: string;
  date: string;
  eventType: string;
  eventTypeLabel: string;
  eventCategory: string;
  eventCategoryLabel: string;
  source: string;
  sourceLabel: string;
  confidence: number | null;
  categoryConfidence: number | null;
  pending: boolean;
}
interface Page { total: number; limit: number; offset: number; warehouseVersion: number; pendingCorrections: number; events: MyEvent[] }
interface Option { code: string; label: string }

export interface EventsDeps {
  /** Buckets (code, label in the UI language) of a dimension, from the catalog. */
  buckets(dimension: string): Option[];
  /** A correction was published: every chart must be reloaded. */
  onApplied(): void;
  /** The token stopped working. */
  onUnauthenticated(err: ApiError): void;
}

const PAGE = 50;
const ORDERS = ['DATE_DESC', 'DATE_ASC', 'TITLE', 'CONFIDENCE', 'EVENT_TYPE', 'SOURCE'] as const;
const POLL_MS = 700;
const POLL_LIMIT_MS = 90_000;

const view = {
  search: '',
  source: '',
  eventType: '',
  order: 'DATE_DESC' as (typeof ORDERS)[number],
  offset: 0,
  page: null as Page | null,
  editing: null as string | null,
  generation: 0,
  polling: null as number | null,
};
let deps: EventsDeps | null = null;
let panel: HTMLElement | null = null;
let searchTimer: number | null = null;

function pct(v: number | null): string {
  if (v === null || v === undefined) return '';
  return new Intl.NumberFormat(intlLocale(), { style: 'percent', maximumFractionDigits: 0 }).format(v);
}
function dateText(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number);
  return new Intl.DateTimeFormat(intlLocale(), { year: 'numeric', month: 'short', day: 'numeric' }).format(new Date(y, m - 1, d));
}

/** The panel's content; call {@link loadEvents} when the tab is shown. */
export function eventsPanel(d: EventsDeps): HTMLElement {
  deps = d;
  view.editing = null;
  const search = h('input', { id: 'ev-search', type: 'search', 'data-control': 'ev-search', value: view.search, autocomplete: 'off',
    placeholder: t('searchTitle') });
  search.addEventListener('input', () => {
    if (searchTimer !== null) clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => { view.search = search.value; view.offset = 0; void loadEvents(); }, 300);
  });
  const choose = (id: string, label: string, options: { value: string; label: string }[], value: string, set: (v: string) => void) => {
    const el = h('select', { id, 'data-control': id }, ...options.map((o) => h('option', { value: o.value, selected: o.value === value }, o.label)));
    el.addEventListener('change', () => { set(el.value); view.offset = 0; void loadEvents(); });
    return h('div', { class: 'field' }, h('label', { for: id }, label), el);
  };
  const tools = h('div', { class: 'ev-tools filters', role: 'search' },
    h('div', { class: 'field' }, h('label', { for: 'ev-search' }, t('searchTitle')), search),
    choose('ev-source', t('colSource'), [{ value: '', label: t('allSources') }, ...d.buckets('CLASSIFICATION_SOURCE').map((b) => ({ value: b.code, label: b.label }))],
      view.source, (v) => { view.source = v; }),
    choose('ev-type', t('colType'), [{ value: '', label: t('all') }, ...d.buckets('EVENT_TYPE').map((b) => ({ value: b.code, label: b.label }))],
      view.eventType, (v) => { view.eventType = v; }),
    choose('ev-order', t('orderBy'), ORDERS.map((o) => ({ value: o, label: t(`order_${o}` as Key) })), view.order,
      (v) => { view.order = v as (typeof ORDERS)[number]; }));
  panel = h('div', { class: 'my-events', id: 'my-events', 'data-state': 'loading' },
    h('p', { class: 'intro' }, t('myEventsIntro')),
    tools,
    h('p', { class: 'ev-status', id: 'ev-status', role: 'status', 'aria-live': 'polite' }),
    h('div', { class: 'table-wrap ev-table', id: 'ev-table' }),
    h('nav', { class: 'ev-pager', id: 'ev-pager', 'aria-label': t('pages') }));
  return panel;
}

function status(text: string, kind: 'info' | 'ok' | 'error' = 'info', hint?: string | null): void {
  const el = document.getElementById('ev-status');
  if (!el) return;
  el.className = `ev-status ${kind}`;
  el.replaceChildren(text, hint ? h('span', { class: 'err-hint' }, ` ${t('hint')}: ${hint}`) : '');
}

/** (Re)load the current page of events. */
export async function loadEvents(): Promise<void> {
  if (!panel) return;
  const generation = ++view.generation;
  panel.dataset.state = 'loading';
  try {
    const data = await gql<{ myEvents: Page }>(myEventsQuery, {
      limit: PAGE, offset: view.offset, search: view.search || null, source: view.source || null,
      eventType: view.eventType || null, orderBy: view.order, locale: getLang(),
    }, { locale: getLang() });
    if (generation !== view.generation) return;
    view.page = data.myEvents;
    render();
    panel.dataset.state = 'ready';
    panel.dataset.version = String(data.myEvents.warehouseVersion);
    panel.dataset.pending = String(data.myEvents.pendingCorrections);
  } catch (err) {
    if (generation !== view.generation) return;
    if (err instanceof ApiError && err.unauthenticated) return deps?.onUnauthenticated(err);
    panel.dataset.state = 'error';
    const api = err instanceof ApiError ? err : null;
    status(`${t('errorTitle')}: ${(err as Error).message}`, 'error', api?.hint);
  }
}

function render(): void {
  const page = view.page;
  const wrap = document.getElementById('ev-table');
  const pager = document.getElementById('ev-pager');
  if (!page || !wrap || !pager) return;
  if (!page.events.length) {
    wrap.replaceChildren(h('p', { class: 'empty' }, t('noEvents')));
  } else {
    const head = ['colDate', 'colTitle', 'colType', 'colCategory', 'colSource', 'colConfidence', 'colAction'] as const;
    wrap.replaceChildren(h('table', {},
      h('caption', {}, t('myEventsCaption')),
      h('thead', {}, h('tr', {}, ...head.map((k) => h('th', { scope: 'col', title: k === 'colConfidence' ? t('confidenceHelp') : null }, t(k))))),
      h('tbody', {}, ...page.events.map(row))));
  }
  const from = page.total ? page.offset + 1 : 0;
  const to = page.offset + page.events.length;
  const prev = h('button', { type: 'button', class: 'btn small', 'data-control': 'ev-prev', disabled: page.offset === 0 }, t('prev'));
  const next = h('button', { type: 'button', class: 'btn small', 'data-control': 'ev-next', disabled: to >= page.total }, t('next'));
  prev.addEventListener('click', () => { view.offset = Math.max(0, view.offset - PAGE); void loadEvents(); });
  next.addEventListener('click', () => { view.offset += PAGE; void loadEvents(); });
  pager.replaceChildren(prev, h('span', { class: 'ev-range' }, t('pageOf', { from, to, total: page.total })), next);
}

function row(e: MyEvent): HTMLElement {
  const tr = h('tr', { 'data-event-id': e.id, 'data-source': e.source, 'data-pending': String(e.pending),
    'data-type': e.eventType, 'data-category': e.eventCategory });
  const conf = [e.confidence, e.categoryConfidence].some((c) => c !== null)
    ? `${pct(e.confidence) || '–'} / ${pct(e.categoryConfidence) || '–'}` : '';
  const badge = h('span', { class: `badge src-${e.source}${e.pending ? ' pending' : ''}` }, e.pending ? t('pending') : e.sourceLabel);
  const editing = view.editing === e.id;
  const cells: HTMLElement[] = [
    h('td', { class: 'num' }, dateText(e.date)),
    h('th', { scope: 'row', class: 'ev-title' }, e.title),
  ];
  if (editing && deps) {
    const pick = (control: string, dim: string, value: string, label: string) => h('select', { 'data-control': control, 'aria-label': label },
      ...deps!.buckets(dim).map((b) => h('option', { value: b.code, selected: b.code === value }, b.label)));
    const typeSel = pick('edit-type', 'EVENT_TYPE', e.eventType, `${t('colType')}: ${e.title}`);
    const catSel = pick('edit-category', 'EVENT_CATEGORY', e.eventCategory, `${t('colCategory')}: ${e.title}`);
    const save = h('button', { type: 'button', class: 'btn small primary', 'data-control': 'ev-save' }, t('save'));
    const cancel = h('button', { type: 'button', class: 'btn small', 'data-control': 'ev-cancel' }, t('cancel'));
    save.addEventListener('click', () => void submit(e, typeSel.value, catSel.value, save));
    cancel.addEventListener('click', () => { view.editing = null; render(); });
    cells.push(h('td', {}, typeSel), h('td', {}, catSel), h('td', {}, badge), h('td', { class: 'num' }, conf),
      h('td', { class: 'ev-actions' }, save, cancel));
    requestAnimationFrame(() => typeSel.focus());
  } else {
    const edit = h('button', { type: 'button', class: 'btn small', 'data-control': 'ev-edit', 'aria-label': `${t('correct')}: ${e.title}` }, t('correct'));
    edit.addEventListener('click', () => { view.editing = e.id; render(); });
    cells.push(h('td', {}, e.eventTypeLabel), h('td', {}, e.eventCategoryLabel), h('td', {}, badge),
      h('td', { class: 'num', title: t('confidenceHelp') }, conf), h('td', { class: 'ev-actions' }, edit));
  }
  tr.append(...cells);
  return tr;
}

async function submit(e: MyEvent, eventType: string, eventCategory: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  status(t('saving'));
  try {
    const data = await gql<{ classifyEvent: { status: string; eventTypeLabel: string; eventCategoryLabel: string } }>(
      classifyMutation, { eventId: e.id, eventType, eventCategory, locale: getLang() }, { locale: getLang() });
    view.editing = null;
    const result = data.classifyEvent;
    status(result.status === 'APPLIED' ? t('alreadyApplied') : t('savedPending'), 'ok');
    await loadEvents();
    if (result.status === 'PENDING') pollUntilApplied(e.id);
  } catch (err) {
    button.disabled = false;
    if (err instanceof ApiError && err.unauthenticated) return deps?.onUnauthenticated(err);
    const api = err instanceof ApiError ? err : null;
    status(`${t('correctionFailed')}: ${(err as Error).message}`, 'error', api?.hint);
  }
}

function pollUntilApplied(eventId: string): void {
  if (view.polling !== null) clearTimeout(view.polling);
  const started = Date.now();
  const tick = async () => {
    view.polling = null;
    await loadEvents();
    const page = view.page;
    const waiting = page ? page.pendingCorrections > 0 || page.events.some((x) => x.id === eventId && x.pending) : true;
    if (!waiting) {
      status(t('applied'), 'ok');
      deps?.onApplied();
      return;
    }
    if (Date.now() - started > POLL_LIMIT_MS) {
      status(t('stillPending'), 'info');
      return;
    }
    view.polling = window.setTimeout(() => void tick(), POLL_MS);
  };
  view.polling = window.setTimeout(() => void tick(), POLL_MS);
}

/** Stop polling (sign-out, re-render). */
export function disposeEvents(): void {
  if (view.polling !== null) clearTimeout(view.polling);
  view.polling = null;
  panel = null;
}
