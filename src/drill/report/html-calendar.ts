// The backup calendar as inline SVG: one row per month, one square per ISO week (in the month of its
// Thursday), marked with drawn shapes rather than font glyphs so it looks the same everywhere and in print.

import { monthOfWeek } from './calendar-weeks.js';
import { type Html, html } from './html.js';
import type { Cadence, WeekMark, WeekStatus } from './report-data.js';
import { MONTHS, STATUS_TEXT, weekSpan } from './report-text.js';

const CELL_W = 56;
const CELL_H = 30;
const GAP = 6;
const LABEL_W = 86;
const ROW_H = CELL_H + GAP;

const FILL: Readonly<Record<WeekStatus, string>> = {
  'backed-up': '#2e7d32',
  missed: '#c62828',
  'in-progress': '#fff8e1',
  future: '#f2f2f2',
  before: '#e0e0e0',
};

export function calendarSvg(cadence: Cadence, year: number): Html {
  const byMonth = MONTHS.map((_, m) => cadence.weeks.filter((w) => monthOfWeek(w.start) === m + 1));
  const width = LABEL_W + 5 * (CELL_W + GAP);
  const height = MONTHS.length * ROW_H;
  const rows = byMonth.map((weeks, m) => {
    const y = m * ROW_H;
    return html`<g>
      <text x="0" y="${y + CELL_H / 2 + 5}" class="cal-month">${MONTHS[m]!}</text>
      ${weeks.map((w, i) => cell(w, LABEL_W + i * (CELL_W + GAP), y))}
    </g>`;
  });
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    class="calendar"
    role="img"
    width="${width}"
    height="${height}"
    viewBox="0 0 ${width} ${height}"
    aria-label="Backups in each week of ${year}: ${cadence.backedUp} backed up, ${cadence.missed} missed"
  >
    ${rows}
  </svg>`;
}

function cell(w: WeekMark, x: number, y: number): Html {
  const dark = w.status === 'backed-up' || w.status === 'missed';
  const label = `Week ${w.week} (${weekSpan(w.start, w.end)}): ${STATUS_TEXT[w.status]}${w.snapshots > 0 ? `, ${w.snapshots} snapshot${w.snapshots === 1 ? '' : 's'}` : ''}`;
  return html`<g class="week week-${w.status}" data-week="${w.week}" data-status="${w.status}">
    <title>${label}</title>
    <rect
      x="${x}"
      y="${y}"
      width="${CELL_W}"
      height="${CELL_H}"
      rx="4"
      fill="${FILL[w.status]}"
      stroke="${w.status === 'in-progress' ? '#f9a825' : 'none'}"
      stroke-width="1.5"
    />
    <text x="${x + 6}" y="${y + CELL_H / 2 + 4}" class="cal-week" fill="${dark ? '#ffffff' : '#555555'}"
      >${w.week}</text
    >
    ${mark(w.status, x + CELL_W - 20, y + 8)}
  </g>`;
}

/** A tick for backed up, a cross for missed, a dash for before; drawn, 14 by 14. */
function mark(status: WeekStatus, x: number, y: number): Html | undefined {
  if (status === 'backed-up')
    return html`<polyline
      points="${x},${y + 7} ${x + 5},${y + 12} ${x + 14},${y + 2}"
      fill="none"
      stroke="#ffffff"
      stroke-width="2.5"
    />`;
  if (status === 'missed')
    return html`<path
      d="M${x} ${y}L${x + 13} ${y + 13}M${x + 13} ${y}L${x} ${y + 13}"
      stroke="#ffffff"
      stroke-width="2.5"
    />`;
  if (status === 'before')
    return html`<path d="M${x} ${y + 7}H${x + 13}" stroke="#9e9e9e" stroke-width="2" />`;
  return undefined;
}

export function calendarLegend(): Html {
  const items: WeekStatus[] = ['backed-up', 'missed', 'in-progress', 'future', 'before'];
  return html`<ul class="legend">
    ${items.map(
      (s) =>
        html`<li>
          <svg xmlns="http://www.w3.org/2000/svg" width="22" height="16" viewBox="0 0 22 16">
            <rect
              x="0"
              y="0"
              width="22"
              height="16"
              rx="3"
              fill="${FILL[s]}"
              stroke="${s === 'in-progress' ? '#f9a825' : 'none'}"
            />
            ${mark(s, 5, 2)}
          </svg>
          ${STATUS_TEXT[s]}
        </li>`,
    )}
  </ul>`;
}
