// Above the tabs: the 3–7 highlights the API states for the current selection, and the report download.
import { ApiError, getToken, gql } from './api';
import { h } from './dom';
import { getLang, t } from './i18n';
import type { Key } from './i18n';
import { fmtNumber, fmtPct } from './model';
import highlightsQuery from './queries/highlights.graphql?raw';

export interface Highlight {
  text: string;
  metric: string;
  dimension: string | null;
  value: string | null;
  ownShare: number | null;
  peerShare: number | null;
  ownValue: number | null;
  peerValue: number | null;
  index: number;
  z: number;
  why: string;
}
/** What the highlights compare: OWN with a peer group, or a filtered group of the network (null: nothing to compare). */
export type HighlightAsk = { scope: 'OWN'; peerGroup: string; filters: unknown[] | null } | { scope: 'NETWORK'; filters: unknown[] } | null;

export function highlightsSection(): HTMLElement {
  return h('section', { class: 'highlights', id: 'highlights', hidden: true, 'data-state': 'loading', 'aria-live': 'polite' });
}

function numbers(hl: Highlight): string {
  const own = hl.ownShare ?? null;
  const peer = hl.peerShare ?? null;
  const values = own !== null && peer !== null ? `${fmtPct(own)} / ${fmtPct(peer)}` : `${fmtNumber(hl.ownValue, 1)} / ${fmtNumber(hl.peerValue, 1)}`;
  return `${values} · ${t('index')} ${fmtNumber(hl.index)}`;
}

/** Ask and show the highlights of `ask` for `timeRange` (an empty strip is hidden: nothing when none). */
export async function loadHighlights(ask: HighlightAsk, timeRange: unknown, signal: AbortSignal): Promise<void> {
  const el = document.getElementById('highlights');
  if (!el) return;
  if (!ask) {
    el.hidden = true;
    el.dataset.state = 'empty';
    el.replaceChildren();
    return;
  }
  el.dataset.state = 'loading';
  const query = { ...ask, timeRange };
  try {
    const data = await gql<{ highlights: { reason: string | null; highlights: Highlight[] } }>(
      highlightsQuery, { query, locale: getLang() }, { locale: getLang(), signal });
    if (signal.aborted) return;
    const items = data.highlights.highlights;
    el.dataset.state = items.length ? 'ready' : 'empty';
    el.hidden = items.length === 0;
    const vs = ask.scope === 'OWN' ? t('highlightsVs', { peer: t(`peer_${ask.peerGroup}` as Key) }) : t('highlightsNetworkVs');
    el.replaceChildren(...(items.length ? [
      h('h2', { class: 'hl-title' }, t('highlightsTitle'), h('span', { class: 'hl-vs' }, ` · ${vs}`)),
      h('ul', { class: 'hl-list' }, ...items.map((hl) => h('li', {
        class: 'hl', 'data-metric': hl.metric, 'data-dimension': hl.dimension ?? '', 'data-value': hl.value ?? '',
        'data-own': String(hl.ownShare ?? hl.ownValue ?? ''), 'data-peer': String(hl.peerShare ?? hl.peerValue ?? ''),
        'data-index': String(hl.index), title: hl.why,
      }, h('span', { class: 'hl-text' }, hl.text), h('span', { class: 'hl-numbers' }, numbers(hl))))),
    ] : []));
  } catch (err) {
    if ((err as Error).name === 'AbortError') return;
    // Highlights are extra: a refusal (e.g. a partner's selection without filters) hides the strip.
    el.hidden = true;
    el.dataset.state = 'error';
    el.title = (err as Error).message;
  }
}

/** The report button: downloads /report.pdf for the current period, language and peer group with the token. */
export function reportButton(current: () => { from: string | null; to: string | null; peerGroup: string }): HTMLElement {
  const status = h('span', { class: 'report-status', role: 'status', 'aria-live': 'polite' });
  const button = h('button', { type: 'button', class: 'btn small', id: 'download-report' }, t('downloadReport')) as HTMLButtonElement;
  button.addEventListener('click', () => void download(button, status, current()));
  return h('span', { class: 'report-tool' }, button, status);
}

async function download(button: HTMLButtonElement, status: HTMLElement,
  ask: { from: string | null; to: string | null; peerGroup: string }): Promise<void> {
  const params = new URLSearchParams({ locale: getLang(), peerGroup: ask.peerGroup });
  if (ask.from && ask.to) { params.set('from', ask.from); params.set('to', ask.to); }
  button.disabled = true;
  status.textContent = t('reportWorking');
  status.dataset.state = 'loading';
  try {
    const response = await fetch(`/report.pdf?${params}`, { headers: { Authorization: `Bearer ${getToken() ?? ''}` } });
    if (!response.ok) {
      const body = await response.json().catch(() => null) as { errors?: { message: string; extensions?: { code?: string; hint?: string } }[] } | null;
      const first = body?.errors?.[0];
      throw new ApiError(first?.message ?? `HTTP ${response.status}`, response.status, first?.extensions?.code ?? null, first?.extensions?.hint ?? null);
    }
    const url = URL.createObjectURL(await response.blob());
    const a = h('a', { href: url, download: `cid-rapport-${ask.from ?? 'alle'}-${getLang()}.pdf` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 5000);
    status.textContent = '';
    status.dataset.state = 'ready';
  } catch (err) {
    const api = err instanceof ApiError ? err : null;
    status.textContent = `${t('reportFailed')}: ${(err as Error).message}${api?.hint ? ` (${api.hint})` : ''}`;
    status.dataset.state = 'error';
  } finally {
    button.disabled = false;
  }
}
