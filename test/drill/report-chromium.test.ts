// The HTML report opened in a real headless Chromium (Debian's `chromium`; COFFER_CHROMIUM names another),
// offline: the rendered DOM has every section and the figures, the hostile key name is text, not a script.

import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gatherReport, renderHtml } from '../../src/drill/report/index.js';
import { formatDuration } from '../../src/ui/index.js';
import {
  HOSTILE_KEY_NAME,
  REPORT_NOW,
  type ReportFixture,
  reportFixture,
  TIME_ZONE,
} from './report-fixture.js';

const run = promisify(execFile);
const CHROMIUM = process.env.COFFER_CHROMIUM ?? 'chromium';

let f: ReportFixture;
let out: string;
beforeAll(async () => {
  f = await reportFixture();
  out = await mkdtemp(join(tmpdir(), 'coffer-report-chromium-'));
}, 120_000);
afterAll(async () => {
  await f?.cleanup();
  if (out) await rm(out, { recursive: true, force: true });
});

async function renderedDom(file: string): Promise<string> {
  const { stdout } = await run(
    CHROMIUM,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      // Offline: anything the page tried to fetch would fail, and the figures below would be missing.
      '--proxy-server=127.0.0.1:9',
      '--no-first-run',
      `--user-data-dir=${join(out, 'profile')}`,
      '--dump-dom',
      `file://${file}`,
    ],
    { timeout: 90_000, maxBuffer: 32 * 1024 * 1024 },
  );
  return stdout;
}

describe('the HTML report in headless Chromium', () => {
  it('renders every section with the figures, and the hostile key name only as text', async () => {
    const data = await gatherReport(f.repo, { year: 2026, now: REPORT_NOW, timeZone: TIME_ZONE, job: f.job });
    const file = join(out, 'report.html');
    await writeFile(file, renderHtml(data));
    const dom = await renderedDom(file);
    for (const id of ['summary', 'problems', 'rto', 'drills', 'cadence', 'retention', 'keys', 'checks'])
      expect(dom).toContain(`<section id="${id}">`);
    expect(dom).toContain('<h1>Disaster-recovery report 2026</h1>');
    expect(dom).toContain('38 of 41');
    for (const d of f.drills) expect(dom).toContain(formatDuration(d.drill.wallMs));
    expect((dom.match(/class="week week-/g) ?? []).length).toBe(53);
    // Chromium serializes text nodes with < and & escaped; a parsed <script> element would appear raw.
    expect(dom).not.toMatch(/<script/i);
    expect(dom).toContain(
      HOSTILE_KEY_NAME.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'),
    );
  }, 120_000);
});
