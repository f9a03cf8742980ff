// A tile-grid map of the Nordic regions (ISO 3166-2), laid out roughly geographically per country.
// Drawn as HTML so every tile is focusable and carries its value or the reason it is hidden.
import type { Cell } from './model';
import { fmtNumber, fmtPct, hasComparisons, reasonText, suppressedMark } from './model';
import { t } from './i18n';

type Layout = Record<string, [col: number, row: number]>;
export const TILE_LAYOUT: Record<string, Layout> = {
  NO: {
    'NO-56': [4, 1], 'NO-55': [3, 2], 'NO-18': [3, 3], 'NO-50': [2, 4], 'NO-15': [1, 5], 'NO-34': [2, 5],
    'NO-46': [1, 6], 'NO-33': [2, 6], 'NO-03': [3, 6], 'NO-32': [4, 6], 'NO-11': [1, 7], 'NO-40': [2, 7],
    'NO-39': [3, 7], 'NO-31': [4, 7], 'NO-42': [2, 8],
  },
  SE: {
    'SE-BD': [3, 1], 'SE-AC': [3, 2], 'SE-Z': [2, 3], 'SE-Y': [3, 3], 'SE-W': [2, 4], 'SE-X': [3, 4],
    'SE-S': [1, 5], 'SE-T': [2, 5], 'SE-U': [3, 5], 'SE-C': [4, 5], 'SE-O': [1, 6], 'SE-E': [2, 6],
    'SE-D': [3, 6], 'SE-AB': [4, 6], 'SE-N': [1, 7], 'SE-F': [2, 7], 'SE-H': [3, 7], 'SE-I': [4, 7],
    'SE-M': [1, 8], 'SE-G': [2, 8], 'SE-K': [3, 8],
  },
  FI: {
    'FI-10': [3, 1], 'FI-14': [3, 2], 'FI-05': [4, 2], 'FI-07': [2, 3], 'FI-15': [3, 3], 'FI-13': [4, 3],
    'FI-12': [1, 4], 'FI-03': [2, 4], 'FI-08': [3, 4], 'FI-04': [4, 4], 'FI-17': [1, 5], 'FI-11': [2, 5],
    'FI-16': [3, 5], 'FI-02': [4, 5], 'FI-19': [1, 6], 'FI-06': [2, 6], 'FI-18': [3, 6], 'FI-09': [4, 6],
    'FI-01': [1, 7],
  },
  DK: { 'DK-81': [1, 1], 'DK-82': [1, 2], 'DK-84': [3, 2], 'DK-83': [1, 3], 'DK-85': [2, 3] },
  IS: { 'IS-4': [1, 1], 'IS-5': [2, 1], 'IS-6': [3, 1], 'IS-3': [1, 2], 'IS-7': [4, 2], 'IS-2': [1, 3], 'IS-1': [2, 3], 'IS-8': [3, 3] },
};
const COUNTRIES = ['NO', 'SE', 'FI', 'DK', 'IS'];
// A sequential single-hue scale (light sky to Okabe–Ito blue): readable with colour-vision deficiencies.
const SCALE = ['#eaf3fa', '#c6e1f2', '#8fc6e8', '#56B4E9', '#2a8fcb', '#0072B2', '#00507e'];

function colour(v: number, max: number): string {
  if (max <= 0) return SCALE[0];
  const i = Math.min(SCALE.length - 1, Math.floor((v / max) * (SCALE.length - 1) + 0.0001));
  return SCALE[i];
}

/** How a map shows another metric than buyers (tab "Loyalty and reach": buyers per 1,000 inhabitants). */
export interface TileOpts {
  /** The tile's text for a value (default: compact buyers). */
  format?: (v: number) => string;
  /** The value's name in a tile's title (default: buyers). */
  unit?: string;
  /** The legend's title (default: "Buyers", or "Index" under a benchmark). */
  legend?: string;
  /** A region the API returned without a value and unsuppressed: what it says (e.g. "No population data"). */
  missing?: string;
  /** The comparisons carry the peers' value (value, index) rather than shares; tiles keep showing the value. */
  peerValues?: boolean;
}

/** Draw the map into `el`; `labels` names regions without data (from the bootstrap region list). */
export function drawTileMap(el: HTMLElement, cells: Cell[], labels: Map<string, string>, countryFilter: string | null,
  opts: TileOpts = {}): void {
  const byCode = new Map(cells.map((c) => [c.keys[0], c]));
  const bench = hasComparisons(cells) && !opts.peerValues;
  const metricOf = (c: Cell) => (bench ? (c.cmp?.index ?? null) : c.value);
  const max = Math.max(0, ...cells.filter((c) => !c.suppressed).map((c) => metricOf(c) ?? 0));
  const unit = opts.unit ?? t('unitBuyers').toLowerCase();
  const fmt = opts.format ?? compact;
  const names = new Map(['NO', 'SE', 'DK', 'FI', 'IS'].map((cc, i) => [cc, t('countryNames').split(',')[i] ?? cc]));
  el.replaceChildren();
  const wrap = document.createElement('div');
  wrap.className = 'tilemap';
  const shown = COUNTRIES.filter((cc) => !countryFilter || cc === countryFilter || cells.some((c) => c.keys[0].startsWith(cc + '-')));
  for (const cc of shown) {
    const block = document.createElement('section');
    block.className = `tile-country tile-${cc}`;
    const h = document.createElement('h4');
    h.textContent = names.get(cc) ?? cc;
    block.append(h);
    const grid = document.createElement('div');
    grid.className = 'tile-grid';
    const layout = TILE_LAYOUT[cc];
    const extra = cells.filter((c) => c.keys[0].startsWith(cc + '-') && !(c.keys[0] in layout)).map((c) => c.keys[0]);
    const maxRow = Math.max(...Object.values(layout).map(([, r]) => r));
    const codes: [string, number, number][] = [
      ...Object.entries(layout).map(([code, [col, row]]) => [code, col, row] as [string, number, number]),
      ...extra.map((code, i) => [code, (i % 4) + 1, maxRow + 1 + Math.floor(i / 4)] as [string, number, number]),
    ];
    for (const [code, col, row] of codes) {
      const cell = byCode.get(code);
      const tile = document.createElement('div');
      tile.className = 'tile';
      tile.style.gridColumn = String(col);
      tile.style.gridRow = String(row);
      tile.tabIndex = 0;
      tile.dataset.region = code;
      const name = cell?.labels[0] || labels.get(code) || code;
      const abbr = document.createElement('span');
      abbr.className = 'tile-code';
      abbr.textContent = code.split('-')[1];
      const val = document.createElement('span');
      val.className = 'tile-value';
      let title: string;
      if (!cell) {
        tile.classList.add('nodata');
        val.textContent = '';
        title = `${name} (${code}): ${t('noData')}`;
      } else if (opts.missing && !cell.suppressed && cell.value === null) {
        tile.classList.add('nodata', 'missing');
        val.textContent = '–';
        title = `${name} (${code}): ${opts.missing}`;
      } else if (cell.suppressed) {
        tile.classList.add('suppressed');
        val.textContent = suppressedMark(cell.reason);
        title = `${name} (${code}): ${suppressedMark(cell.reason)}. ${reasonText(cell.reason)}`;
      } else {
        const v = metricOf(cell) ?? 0;
        tile.style.background = colour(v, max);
        if (v / (max || 1) > 0.55) tile.classList.add('dark');
        val.textContent = bench ? fmtNumber(cell.cmp?.index ?? null) : fmt(cell.value ?? 0);
        title = `${name} (${code}): ${opts.format ? fmt(cell.value ?? 0) : fmtNumber(cell.value)} ${unit}`;
        if (cell.cmp && !cell.cmp.suppressed && opts.peerValues) {
          title += `; ${t('peerValue')} ${fmt(cell.cmp.value ?? 0)}, ${t('index')} ${fmtNumber(cell.cmp.index)}`;
        } else if (cell.cmp && !cell.cmp.suppressed) {
          title += `; ${t('ownShare')} ${fmtPct(cell.cmp.share)}, ${t('peerShare')} ${fmtPct(cell.cmp.peerShare)}, ${t('index')} ${fmtNumber(cell.cmp.index)}`;
        } else if (cell.cmp?.suppressed) {
          title += `; ${t('peerShare')}: ${reasonText(cell.cmp.reason)}`;
        }
      }
      tile.title = title;
      tile.setAttribute('aria-label', title);
      tile.setAttribute('role', 'img');
      tile.append(abbr, val);
      grid.append(tile);
    }
    block.append(grid);
    wrap.append(block);
  }
  const legend = document.createElement('div');
  legend.className = 'tile-legend';
  const top = bench || !opts.format ? fmtNumber(max) : fmt(max);
  legend.innerHTML = `<span>${bench ? t('index') : (opts.legend ?? t('mapLegend'))}: 0</span><span class="ramp">${SCALE.map((c) => `<i style="background:${c}"></i>`).join('')}</span><span>${top}</span>`
    + `<span class="swatch suppressed"></span><span>${t('suppressed')}</span><span class="swatch nodata"></span><span>${t('noData')}</span>`
    + (opts.missing ? `<span class="swatch nodata missing"></span><span>${opts.missing}</span>` : '');
  el.append(wrap, legend);
}

function compact(v: number): string {
  if (v >= 10000) return `${fmtNumber(v / 1000, 0)}k`;
  if (v >= 1000) return `${fmtNumber(v / 1000, 1)}k`;
  return fmtNumber(v);
}
