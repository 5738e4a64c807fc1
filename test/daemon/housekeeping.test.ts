// The hourly look at every job: OVERDUE told once per episode, a due drill at most once a month, the
// weekly digest only when a channel asks for it.

import { describe, expect, it } from 'vitest';
import type { DaemonState } from '../../src/daemon/index.js';
import { housekeeping } from '../../src/daemon/housekeeping.js';
import { at, makeConfig, makeJob } from './fixtures.js';

const DAY = 86_400_000;
const job = makeJob();
const success = {
  time: '2026-01-11T02:05:00.000Z',
  snapshot: 'a1b2c3d4',
  bytesAdded: 1,
  filesNew: 1,
  filesChanged: 0,
};

describe('housekeeping', () => {
  it('tells about an overdue backup once per episode, and again after a success and a new lapse', () => {
    const config = makeConfig('/tmp/x', [job]);
    let state: DaemonState = {
      version: 1,
      jobs: { documents: { firstSeen: '2026-01-01T00:00:00.000Z', lastSuccess: success } },
    };
    const first = housekeeping(config, state, at('2026-01-19T03:00:00Z'));
    expect(first.notices.map((n) => n.kind)).toEqual(['overdue']);
    expect(first.notices[0]).toMatchObject({
      job: 'documents',
      since: at('2026-01-19T02:05:00Z'),
      lastSuccess: success,
    });
    state = first.state;
    expect(housekeeping(config, state, at('2026-01-19T04:00:00Z')).notices).toEqual([]);
    expect(housekeeping(config, state, at('2026-01-25T04:00:00Z')).notices).toEqual([]);
    // a success clears overdueNotifiedAt (job-updates); the next lapse is a new episode
    const later = { ...success, time: '2026-01-25T05:00:00.000Z' };
    state = {
      ...state,
      jobs: { documents: { ...state.jobs.documents, lastSuccess: later, overdueNotifiedAt: undefined } },
    };
    expect(housekeeping(config, state, at('2026-01-26T04:00:00Z')).notices).toEqual([]);
    expect(housekeeping(config, state, at('2026-02-02T06:00:00Z')).notices.map((n) => n.kind)).toEqual([
      'overdue',
    ]);
  });

  it('holds the overdue notice for a job whose catch-up run is about to start', () => {
    const config = makeConfig('/tmp/x', [job]);
    const state: DaemonState = {
      version: 1,
      jobs: { documents: { firstSeen: '2026-01-01T00:00:00.000Z', lastSuccess: success } },
    };
    expect(housekeeping(config, state, at('2026-02-19T03:00:00Z'), new Set(['documents'])).notices).toEqual(
      [],
    );
  });

  it('reminds of a due drill at most once a month', () => {
    const drillJob = makeJob({ drill: { remindAfterMs: 365 * DAY } });
    const config = makeConfig('/tmp/x', [drillJob]);
    let state: DaemonState = {
      version: 1,
      jobs: {
        documents: {
          firstSeen: '2025-01-01T00:00:00.000Z',
          lastSuccess: { ...success, time: '2026-01-11T02:05:00.000Z' },
        },
      },
    };
    const now = at('2026-01-12T00:00:00Z');
    const first = housekeeping(config, state, now);
    expect(first.notices.map((n) => n.kind)).toEqual(['drill-due']);
    state = first.state;
    const kinds = (t: number) =>
      housekeeping(config, state, new Date(now.getTime() + t)).notices.map((n) => n.kind);
    expect(kinds(29 * DAY)).not.toContain('drill-due');
    expect(kinds(30 * DAY)).toContain('drill-due');
  });

  it('sends the weekly digest on Monday morning only when a channel asks for it', () => {
    const webhook = { type: 'webhook' as const, url: 'http://127.0.0.1:9/hook' };
    const state: DaemonState = {
      version: 1,
      jobs: { documents: { firstSeen: '2026-01-06T00:00:00.000Z', lastSuccess: success } },
    };
    const without = makeConfig('/tmp/x', [job], { notifications: [{ channel: webhook, on: ['failure'] }] });
    const withDigest = makeConfig('/tmp/x', [job], { notifications: [{ channel: webhook, on: ['digest'] }] });
    const monday = at('2026-01-12T08:00:00Z');
    expect(housekeeping(without, state, monday).notices).toEqual([]);
    expect(housekeeping(withDigest, state, at('2026-01-12T07:59:00Z')).notices).toEqual([]);
    const sent = housekeeping(withDigest, state, monday);
    expect(sent.notices).toMatchObject([
      { kind: 'digest', jobs: [{ job: 'documents', overdue: false, lastSuccess: new Date(success.time) }] },
    ]);
    expect(housekeeping(withDigest, sent.state, at('2026-01-12T09:00:00Z')).notices).toEqual([]);
  });
});
