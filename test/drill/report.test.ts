// The annual report: its figures match the records (drills, weeks, keys, checks), its problems say what is
// wrong, and the HTML is well-formed, self-contained and escapes everything read from the repository.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  gatherReport,
  renderHtml,
  renderMarkdown,
  renderReport,
  type ReportData,
} from '../../src/drill/report/index.js';
import { formatDuration } from '../../src/ui/index.js';
import {
  HOSTILE_KEY_NAME,
  LAST_BACKUP_WEEK,
  MISSED_WEEKS,
  REPORT_NOW,
  type ReportFixture,
  reportFixture,
  TIME_ZONE,
} from './report-fixture.js';

let f: ReportFixture;
let data: ReportData;
beforeAll(async () => {
  f = await reportFixture();
  data = await gatherReport(f.repo, { year: 2026, now: REPORT_NOW, timeZone: TIME_ZONE, job: f.job });
}, 120_000);
afterAll(() => f?.cleanup());

describe('the report data', () => {
  it("lists the year's drills exactly as recorded", () => {
    expect(data.drills.map((d) => d.id)).toEqual(f.drills.map((d) => d.id));
    expect(data.drills.map((d) => d.passed)).toEqual([true, true, false]);
    expect(data.drills.map((d) => d.wallMs)).toEqual(f.drills.map((d) => d.drill.wallMs));
    expect(data.drills.map((d) => d.files)).toEqual(f.drills.map((d) => d.drill.restored.files));
    expect(data.drills[1]!.scopeText).toBe('30% sample (seed 5eed)');
    expect(data.lastPassedDrill).toEqual({ id: f.drills[1]!.id, time: f.drills[1]!.drill.startedAt });
  });

  it('gives each RTO target the newest verdict on it', () => {
    const [whole, finance] = data.rto;
    const last = f.drills[2]!.drill;
    expect(whole).toMatchObject({ name: 'whole snapshot', target: '24h', source: 'config' });
    expect(whole!.latest).toMatchObject({
      drill: f.drills[2]!.id,
      met: true,
      achievedMs: last.targets[0]!.achievedMs,
    });
    expect(finance).toMatchObject({ name: 'finance', target: '4h', source: 'config' });
    expect(finance!.latest).toMatchObject({
      met: false,
      achievedMs: last.targets[1]!.achievedMs,
      basis: 'estimate',
    });
  });

  it('marks every ISO week of 2026: backed up, the missed ones, this week, and those to come', () => {
    const c = data.cadence;
    expect(c.weeks).toHaveLength(53);
    expect(c.weeks.filter((w) => w.status === 'missed').map((w) => w.week)).toEqual([...MISSED_WEEKS]);
    expect(c.backedUp).toBe(LAST_BACKUP_WEEK - MISSED_WEEKS.length);
    expect(c.expected).toBe(LAST_BACKUP_WEEK);
    expect(c.weeks.find((w) => w.week === 42)!.status).toBe('in-progress');
    expect(c.weeks.filter((w) => w.status === 'future')).toHaveLength(53 - 42);
    expect(c.weeks[0]).toMatchObject({
      week: 1,
      start: '2025-12-29',
      end: '2026-01-04',
      status: 'backed-up',
    });
    expect(c.snapshots).toBe(c.backedUp);
  });

  it('names the key holders, who added them, and the removed key with who removed it', () => {
    expect(data.keys.current.map((k) => k.name).sort()).toEqual(['clerk', HOSTILE_KEY_NAME].sort());
    expect(data.keys.current.find((k) => k.name === HOSTILE_KEY_NAME)).toMatchObject({
      addedBy: 'clerk',
      role: 'it',
    });
    expect(data.keys.removed).toEqual([
      expect.objectContaining({ name: 'chair', removedBy: 'clerk', removed: '2026-07-01T10:00:00.000Z' }),
    ]);
  });

  it('has the check, the retention policy in words, and the open problems with what to do', () => {
    expect(data.checks).toEqual([
      expect.objectContaining({ outcome: 'success', time: '2026-10-05T03:00:00.000Z' }),
    ]);
    expect(data.retention.recorded).toBe(true);
    expect(data.retention.rules).toEqual([
      'one a week for the last 8 weeks that have a snapshot',
      'one a month for the last 12 months that have a snapshot',
      'one a year for the last 7 years that have a snapshot',
    ]);
    const titles = data.problems.map((p) => p.title);
    expect(titles).toEqual([
      '3 weeks of 2026 without a backup',
      'Recovery time objective "finance" (1ms) not met',
    ]);
    expect(data.problems[0]!.detail).toContain('weeks 12, 13, 30');
    for (const p of data.problems) expect(p.recommendation.length).toBeGreaterThan(40);
  });

  it('says the retention policy is not recorded without a job, and when no drill passed within a year', async () => {
    const later = await gatherReport(f.repo, {
      year: 2027,
      now: new Date('2027-11-01T12:00:00Z'),
      timeZone: TIME_ZONE,
    });
    expect(later.retention).toMatchObject({ recorded: false });
    expect(later.retention.note).toMatch(/^not recorded/);
    expect(later.drills).toEqual([]);
    const titles = later.problems.map((p) => p.title);
    expect(titles).toContain('No drill has passed in the last 12 months');
    expect(titles).toContain('No recovery time objective is set');
    expect(later.cadence.backedUp).toBe(0);
    expect(later.cadence.missed).toBe(43);
  });
});

describe('the HTML report', () => {
  it('is well-formed XML with every section, and holds the figures from the records', () => {
    const page = renderHtml(data);
    expect(XMLValidator.validate(page)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, preserveOrder: false }).parse(page) as {
      html: { body: { section: { '@_id': string }[] } };
    };
    expect(doc.html.body.section.map((s) => s['@_id'])).toEqual([
      'summary',
      'problems',
      'rto',
      'drills',
      'cadence',
      'retention',
      'keys',
      'checks',
    ]);
    for (const d of f.drills) expect(page).toContain(formatDuration(d.drill.wallMs));
    expect(page).toContain('38 of 41');
    expect(page).toContain('2 of 3 passed');
    expect(page).toMatch(
      /week 12 \(16 Mar – 22 Mar\), week 13 \(23 Mar – 29 Mar\), week 30 \(20 Jul – 26 Jul\)/,
    );
    expect((page.match(/data-status="missed"/g) ?? []).length).toBe(3);
    expect((page.match(/data-status="backed-up"/g) ?? []).length).toBe(38);
    expect(page).toContain('NOT MET');
    expect(page).toContain('Recovery time objective &quot;finance&quot; (1ms) not met');
  });

  it('escapes names from the repository and needs nothing from the network', () => {
    const page = renderHtml(data);
    expect(page).not.toContain('<script');
    expect(page).toContain('&lt;script&gt;alert(&quot;owned&quot;)&lt;/script&gt; &amp; co');
    const urls = page.match(/https?:\/\/[^\s"'<)]*/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/1999/xhtml', 'http://www.w3.org/2000/svg']));
    expect(page).not.toMatch(/<(link|img|iframe|object)\b/);
    expect(page).not.toMatch(/\son[a-z]+=/);
  });

  it('stays well-formed with control characters and broken surrogates in repository strings', () => {
    const odd = { ...data, job: 'bell\u0007 and half \ud800 a pair' };
    const page = renderHtml(odd);
    expect(XMLValidator.validate(page)).toBe(true);
    expect(page).toContain('bell\\x07 and half \ufffd a pair');
  });
});

describe('the Markdown and JSON reports', () => {
  it('Markdown has the same figures, with repository strings made literal', () => {
    const text = renderMarkdown(data);
    for (const d of f.drills) expect(text).toContain(formatDuration(d.drill.wallMs));
    expect(text).toContain('Weeks backed up: 38 of 41');
    expect(text).toContain('\\<script\\>alert("owned")\\</script\\> & co');
    expect(text).not.toMatch(/(?<!\\)<script/);
    expect(text).toMatch(/\| March \| W10 ✔, W11 ✔, W12 ✘, W13 ✘ \|/);
  });

  it('JSON is the report data itself', () => {
    expect(JSON.parse(renderReport(data, 'json'))).toEqual(JSON.parse(JSON.stringify(data)));
  });
});
