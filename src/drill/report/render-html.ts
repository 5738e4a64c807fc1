// The annual report as one self-contained HTML file: inline CSS and SVG, no scripts, no external
// addresses, every repository string escaped, and well-formed XML so a strict parser can check it.

import { formatBytes, formatDuration } from '../../ui/index.js';
import { calendarLegend, calendarSvg } from './html-calendar.js';
import { REPORT_CSS } from './html-style.js';
import { type Html, html, trusted } from './html.js';
import type { ReportData, ReportTarget } from './report-data.js';
import {
  achievedText,
  basisText,
  dateTimeText,
  dayText,
  drillCounts,
  headline,
  throughputText,
  weekSpan,
} from './report-text.js';

export function renderHtml(data: ReportData): string {
  const tz = data.timeZone;
  const counts = drillCounts(data);
  const title = `Disaster-recovery report ${data.year}`;
  const doc = html`<!DOCTYPE html>
    <html xmlns="http://www.w3.org/1999/xhtml" lang="en-GB">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title}</title>
        <style>
          ${trusted(REPORT_CSS)}
        </style>
      </head>
      <body>
        <header>
          <h1>${title}</h1>
          <p class="meta">
            Repository
            <code>${data.repository.location}</code
            >${data.job ? html` (job <strong>${data.job}</strong>)` : ''}, made on
            ${dayText(data.repository.created, tz)}. Report made on ${dateTimeText(data.generatedAt, tz)} by
            ${data.program}; dates and weeks are in ${tz}.
          </p>
        </header>

        <section id="summary">
          <h2>Summary</h2>
          <p class="status ${data.problems.length === 0 ? 'good' : 'bad'}">${headline(data)}</p>
          <dl class="figures">
            <div>
              <dt>Drills in ${data.year}</dt>
              <dd>${counts.passed} of ${counts.run} passed</dd>
            </div>
            <div>
              <dt>Weeks backed up</dt>
              <dd>${data.cadence.backedUp} of ${data.cadence.expected}</dd>
            </div>
            <div>
              <dt>Last drill that passed</dt>
              <dd>${data.lastPassedDrill ? dayText(data.lastPassedDrill.time, tz) : 'none'}</dd>
            </div>
            <div>
              <dt>Latest check</dt>
              <dd>
                ${data.checks[0] ? (data.checks[0].outcome === 'success' ? 'no errors' : 'problems found') : 'none'}
              </dd>
            </div>
          </dl>
        </section>

        <section id="problems">
          <h2>Open problems and recommendations</h2>
          ${
            data.problems.length === 0
              ? html`<p>None. Keep the weekly backups, the checks and the yearly drill going.</p>`
              : data.problems.map(
                  (p) =>
                    html`<div class="problem ${p.severity}">
                      <h3>${p.severity === 'serious' ? 'Serious: ' : 'Needs attention: '}${p.title}</h3>
                      <p>${p.detail}</p>
                      <p><span class="what">What to do:</span> ${p.recommendation}</p>
                    </div>`,
                )
          }
        </section>

        <section id="rto">
          <h2>Recovery time objectives</h2>
          ${rtoSection(data)}
        </section>

        <section id="drills">
          <h2>Drills in ${data.year}</h2>
          ${drillsSection(data)}
        </section>

        <section id="cadence">
          <h2>Backups week by week</h2>
          <p>
            ${data.cadence.backedUp} of the ${data.cadence.expected} weeks of ${data.year} so far had a backup
            (${data.cadence.snapshots}
            snapshot${data.cadence.snapshots === 1 ? '' : 's'}${data.cadence.lastSnapshot ? html`, the latest on ${dateTimeText(data.cadence.lastSnapshot, tz)}` : ''});
            ${data.cadence.missed === 0 ? 'no week was missed' : html`<strong>${data.cadence.missed} missed</strong>: ${missedList(data)}`}.
          </p>
          ${calendarSvg(data.cadence, data.year)} ${calendarLegend()}
        </section>

        <section id="retention">
          <h2>Retention in force</h2>
          ${
            data.retention.recorded
              ? html`<p>${data.retention.note}: coffer keeps</p>
                  <ul>
                    ${data.retention.rules.map((r) => html`<li>${r}</li>`)}
                  </ul>
                  <p class="small muted">
                    Snapshots no rule keeps are removed by "forget", and their data by "prune".
                  </p>`
              : html`<p>${data.retention.note}.</p>`
          }
        </section>

        <section id="keys">
          <h2>Key holders</h2>
          ${keysSection(data)}
        </section>

        <section id="checks">
          <h2>Integrity checks</h2>
          ${
            data.checks.length === 0
              ? html`<p>No check is recorded.</p>`
              : html`<table>
                  <thead>
                    <tr>
                      <th>When</th>
                      <th>Result</th>
                      <th>What it found</th>
                      <th>Run by</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${data.checks.map(
                      (c) =>
                        html`<tr>
                          <td class="when">${dateTimeText(c.time, tz)}</td>
                          <td>
                            ${badge(c.outcome === 'success', c.outcome === 'success' ? 'OK' : c.outcome.toUpperCase())}
                          </td>
                          <td>${c.summary}</td>
                          <td>${c.by}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`
          }
        </section>

        <footer>
          <p>
            How to read this report: a drill restores a snapshot into an empty scratch folder, exactly as a
            real recovery would, and checks every file against the SHA-256 recorded when it was backed up.
            "Measured" times are what the drill took; "at most" means the drill restored more than the set and
            still met its target; "estimated" times are worked out from the drill's measured speed (the
            assumption is given with each). Drill records are kept, encrypted, in the repository
            itself.${data.unreadableRecords > 0 ? ` ${data.unreadableRecords} record(s) could not be read and are left out.` : ''}
          </p>
        </footer>
      </body>
    </html> `;
  return doc.text;
}

function badge(pass: boolean, text: string): Html {
  return html`<span class="badge ${pass ? 'pass' : 'fail'}">${text}</span>`;
}

function rtoSection(data: ReportData): Html {
  if (data.rto.length === 0) return html`<p>No recovery time objective is set.</p>`;
  return html`<table>
    <thead>
      <tr>
        <th>What</th>
        <th class="num">Target</th>
        <th class="num">Latest achieved</th>
        <th>How</th>
        <th>Result</th>
        <th></th>
      </tr>
    </thead>
    <tbody>
      ${data.rto.map(
        (t) =>
          html`<tr>
            <td>
              <strong>${t.name}</strong
              >${t.paths ? html`<br /><span class="small muted">${t.paths.join(', ')}</span>` : ''}
            </td>
            <td class="num">${t.target}</td>
            <td class="num">${t.latest ? achievedText(t.latest.achievedMs) : 'no drill this year'}</td>
            <td>
              ${t.latest ? html`${basisText(t.latest.basis)}, ${dayText(t.latest.time, data.timeZone)}` : ''}
            </td>
            <td>${t.latest ? badge(t.latest.met, t.latest.met ? 'MET' : 'NOT MET') : ''}</td>
            <td>${bar(t)}</td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** Achieved time against the target: the line marks the target, the bar stops at one and a half times it. */
function bar(t: ReportTarget): Html | undefined {
  if (t.latest?.achievedMs === undefined) return undefined;
  const width = 120;
  const scale = (width - 2) / (t.targetMs * 1.5);
  const filled = Math.max(1, Math.min(width - 2, t.latest.achievedMs * scale));
  const line = 1 + t.targetMs * scale;
  return html`<svg
    xmlns="http://www.w3.org/2000/svg"
    class="bar"
    width="${width}"
    height="14"
    viewBox="0 0 ${width} 14"
    role="img"
    aria-label="${formatDuration(t.latest.achievedMs)} against ${t.target}"
  >
    <rect x="0" y="2" width="${width}" height="10" fill="#eef1f5" />
    <rect
      x="1"
      y="3"
      width="${filled.toFixed(1)}"
      height="8"
      fill="${t.latest.met ? '#2e7d32' : '#c62828'}"
    />
    <line
      x1="${line.toFixed(1)}"
      y1="0"
      x2="${line.toFixed(1)}"
      y2="14"
      stroke="#1b1b1b"
      stroke-width="1.5"
    />
  </svg>`;
}

function drillsSection(data: ReportData): Html {
  if (data.drills.length === 0) return html`<p>No drill was run in ${data.year}.</p>`;
  const tz = data.timeZone;
  return html`<table>
    <thead>
      <tr>
        <th>When</th>
        <th>Scope</th>
        <th class="num">Time</th>
        <th class="num">Restored</th>
        <th class="num">Speed</th>
        <th>Result</th>
      </tr>
    </thead>
    <tbody>
      ${data.drills.map(
        (d) =>
          html`<tr>
            <td class="when">
              ${dateTimeText(d.time, tz)}<br /><span class="small muted">by ${d.ranBy}</span>
            </td>
            <td>
              ${d.scopeText}<br /><span class="small muted"
                >snapshot ${d.snapshot.slice(0, 8)} of ${dayText(d.snapshotTime, tz)}</span
              >
            </td>
            <td class="num">${formatDuration(d.wallMs)}</td>
            <td class="num">${d.files} file${d.files === 1 ? '' : 's'}<br />${formatBytes(d.bytes)}</td>
            <td class="num">${throughputText(d.bytesPerSecond)}</td>
            <td>
              ${badge(d.passed, d.passed ? 'PASS' : 'FAIL')}${d.targets.map((t) => html`<br /><span class="small">${t.name} ${t.target}: ${achievedText(t.achievedMs)} (${basisText(t.basis)}) ${t.met ? 'met' : 'NOT met'}</span>`)}${
                d.reasons.length > 0
                  ? html`<ul class="small">
                      ${d.reasons.map((r) => html`<li>${r}</li>`)}
                    </ul>`
                  : ''
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

function missedList(data: ReportData): Html {
  const missed = data.cadence.weeks.filter((w) => w.status === 'missed');
  return html`${missed.map((w, i) => html`${i > 0 ? ', ' : ''}week ${w.week} (${weekSpan(w.start, w.end)})`)}`;
}

function keysSection(data: ReportData): Html {
  const tz = data.timeZone;
  const k = data.keys;
  return html`<p>
      These people and roles can open the repository now (each has their own password; a removed key no longer
      opens it):
    </p>
    <table>
      <thead>
        <tr>
          <th>Name</th>
          <th>Role</th>
          <th>Added</th>
          <th>Added by</th>
        </tr>
      </thead>
      <tbody>
        ${k.current.map(
          (h) =>
            html`<tr>
              <td><strong>${h.name}</strong></td>
              <td>${h.role ?? ''}</td>
              <td>${h.added ? dayText(h.added, tz) : ''}</td>
              <td>${h.addedBy ?? ''}</td>
            </tr>`,
        )}
      </tbody>
    </table>
    ${
      k.removed.length > 0
        ? html`<h3>Removed keys</h3>
            <table>
              <thead>
                <tr>
                  <th>Name</th>
                  <th>Removed</th>
                  <th>Removed by</th>
                </tr>
              </thead>
              <tbody>
                ${k.removed.map(
                  (r) =>
                    html`<tr>
                      <td>${r.name}</td>
                      <td>${dateTimeText(r.removed, tz)}</td>
                      <td>${r.removedBy}</td>
                    </tr>`,
                )}
              </tbody>
            </table>`
        : html`<p class="small muted">No key has been removed.</p>`
    }
    ${k.unreadable > 0 ? html`<p class="small">${k.unreadable} key file(s) could not be read.</p>` : ''}`;
}
