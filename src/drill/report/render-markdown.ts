// The annual report as Markdown, for pasting into minutes or an email: the same sections and figures as
// the HTML, the calendar as a table of months. Repository strings are escaped so they stay plain text.

import { formatBytes, formatDuration } from '../../ui/index.js';
import { monthOfWeek } from './calendar-weeks.js';
import type { ReportData, WeekStatus } from './report-data.js';
import {
  achievedText,
  basisText,
  dateTimeText,
  dayText,
  drillCounts,
  headline,
  MONTHS,
  throughputText,
  weekSpan,
} from './report-text.js';

/**
 * Markdown and inline HTML syntax made literal, and a table cell kept on one line. Parentheses, # and !
 * only mean something next to characters escaped here (or at a line's start, where no value is put).
 */
export function md(text: string | number): string {
  return String(text)
    .replace(/[\\`*_[\]<>|~]/g, (c) => `\\${c}`)
    .replace(/[\r\n]+/g, ' ');
}

const MARK: Readonly<Record<WeekStatus, string>> = {
  'backed-up': ' ✔',
  missed: ' ✘',
  'in-progress': ' …',
  future: '',
  before: ' –',
};
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export function renderMarkdown(data: ReportData): string {
  const tz = data.timeZone;
  const counts = drillCounts(data);
  const out: string[] = [];
  const line = (s = ''): void => {
    out.push(s);
  };
  line(`# Disaster-recovery report ${data.year}`);
  line();
  line(
    `Repository \`${data.repository.location.replaceAll('`', "'")}\`${data.job ? ` (job **${md(data.job)}**)` : ''}, made on ${dayText(data.repository.created, tz)}. ` +
      `Report made on ${dateTimeText(data.generatedAt, tz)} by ${md(data.program)}; dates and weeks are in ${md(tz)}.`,
  );
  line();
  line('## Summary');
  line();
  line(`**${md(headline(data))}**`);
  line();
  line(`- Drills in ${data.year}: ${counts.passed} of ${counts.run} passed`);
  line(`- Weeks backed up: ${data.cadence.backedUp} of ${data.cadence.expected}`);
  line(`- Last drill that passed: ${data.lastPassedDrill ? dayText(data.lastPassedDrill.time, tz) : 'none'}`);
  line(
    `- Latest check: ${data.checks[0] ? (data.checks[0].outcome === 'success' ? 'no errors' : 'problems found') : 'none'}`,
  );
  line();
  line('## Open problems and recommendations');
  line();
  if (data.problems.length === 0)
    line('None. Keep the weekly backups, the checks and the yearly drill going.');
  for (const p of data.problems) {
    line(`### ${p.severity === 'serious' ? 'Serious' : 'Needs attention'}: ${md(p.title)}`);
    line();
    line(md(p.detail));
    line();
    line(`**What to do:** ${md(p.recommendation)}`);
    line();
  }
  line('## Recovery time objectives');
  line();
  if (data.rto.length === 0) line('No recovery time objective is set.');
  else {
    line('| What | Target | Latest achieved | How | Result |');
    line('|---|---:|---:|---|---|');
    for (const t of data.rto)
      line(
        `| ${md(t.name)}${t.paths ? ` (${md(t.paths.join(', '))})` : ''} | ${md(t.target)} | ${t.latest ? achievedText(t.latest.achievedMs) : 'no drill this year'} | ${t.latest ? `${basisText(t.latest.basis)}, ${dayText(t.latest.time, tz)}` : ''} | ${t.latest ? (t.latest.met ? 'MET' : '**NOT MET**') : ''} |`,
      );
  }
  line();
  line(`## Drills in ${data.year}`);
  line();
  if (data.drills.length === 0) line(`No drill was run in ${data.year}.`);
  else {
    line('| When | Scope | Time | Restored | Speed | Result |');
    line('|---|---|---:|---:|---:|---|');
    for (const d of data.drills) {
      const targets = d.targets
        .map(
          (t) =>
            `${md(t.name)} ${md(t.target)}: ${achievedText(t.achievedMs)} (${basisText(t.basis)}) ${t.met ? 'met' : 'NOT met'}`,
        )
        .join('; ');
      const reasons = d.reasons.map(md).join('; ');
      line(
        `| ${dateTimeText(d.time, tz)} by ${md(d.ranBy)} | ${md(d.scopeText)}, snapshot ${d.snapshot.slice(0, 8)} | ${formatDuration(d.wallMs)} | ${plural(d.files, 'file')}, ${formatBytes(d.bytes)} | ${throughputText(d.bytesPerSecond)} | ${d.passed ? 'PASS' : '**FAIL**'}${targets ? `; ${targets}` : ''}${reasons ? `; ${reasons}` : ''} |`,
      );
    }
  }
  line();
  line('## Backups week by week');
  line();
  const missed = data.cadence.weeks.filter((w) => w.status === 'missed');
  line(
    `${data.cadence.backedUp} of the ${data.cadence.expected} weeks of ${data.year} so far had a backup (${plural(data.cadence.snapshots, 'snapshot')}); ` +
      (missed.length === 0
        ? 'no week was missed.'
        : `**${missed.length} missed**: ${missed.map((w) => `week ${w.week} (${weekSpan(w.start, w.end)})`).join(', ')}.`),
  );
  line();
  line('| Month | Weeks |');
  line('|---|---|');
  MONTHS.forEach((name, m) => {
    const weeks = data.cadence.weeks.filter((w) => monthOfWeek(w.start) === m + 1);
    line(`| ${name} | ${weeks.map((w) => `W${w.week}${MARK[w.status]}`).join(', ')} |`);
  });
  line();
  line(
    '✔ backed up, ✘ missed, … this week (not yet backed up), – before the repository existed; no mark: still to come',
  );
  line();
  line('## Retention in force');
  line();
  if (data.retention.recorded) {
    line(`${md(data.retention.note)}: coffer keeps`);
    line();
    for (const r of data.retention.rules) line(`- ${md(r)}`);
  } else line(`${md(data.retention.note)}.`);
  line();
  line('## Key holders');
  line();
  line('| Name | Role | Added | Added by |');
  line('|---|---|---|---|');
  for (const h of data.keys.current)
    line(
      `| ${md(h.name)} | ${md(h.role ?? '')} | ${h.added ? dayText(h.added, tz) : ''} | ${md(h.addedBy ?? '')} |`,
    );
  line();
  if (data.keys.removed.length > 0) {
    line('Removed keys:');
    line();
    for (const r of data.keys.removed)
      line(`- ${md(r.name)}, removed ${dateTimeText(r.removed, tz)} by ${md(r.removedBy)}`);
  } else line('No key has been removed.');
  line();
  line('## Integrity checks');
  line();
  if (data.checks.length === 0) line('No check is recorded.');
  else {
    line('| When | Result | What it found | Run by |');
    line('|---|---|---|---|');
    for (const c of data.checks)
      line(
        `| ${dateTimeText(c.time, tz)} | ${c.outcome === 'success' ? 'OK' : `**${md(c.outcome.toUpperCase())}**`} | ${md(c.summary)} | ${md(c.by)} |`,
      );
  }
  line();
  return `${out.join('\n')}\n`;
}
