// Log lines for journald: one line per event with its syslog priority, nothing that splits or colours it;
// a backup's warnings name the files it could not read.

import { describe, expect, it } from 'vitest';
import { journalLog } from '../../src/daemon/index.js';
import { formatLocalTime, relativeTime } from '../../src/ui/index.js';
import { backupWarnings } from '../../src/daemon/step-outcomes.js';

describe('journal log', () => {
  it('prefixes each line with its priority and keeps it one line, without escapes', () => {
    let out = '';
    const log = journalLog({ write: (t: string) => (out += t) });
    log.error('backup failed:\n  the storage\r\nsaid no');
    log.warn('\x1b[31mred\x1b[0m text\x07');
    log.info('done');
    expect(out).toBe('<3>backup failed: / the storage / said no\n<4>red text\n<6>done\n');
  });

  it('turns a backup’s warnings into lines naming the files', () => {
    const documents = [
      { type: 'progress' },
      {
        type: 'warning',
        kind: 'unreadable',
        path: '/srv/docs/locked.xlsx',
        message: 'could not be read (permission denied): left out of this snapshot',
      },
      { type: 'warning', kind: 'skipped-special', path: '/srv/docs/fifo', message: 'is a FIFO: skipped' },
    ];
    const lines = backupWarnings({
      exitCode: 3,
      exitSignal: null,
      documents,
      message: '',
      stopped: false,
      killed: false,
    });
    expect(lines).toEqual([
      'warning: /srv/docs/locked.xlsx could not be read (permission denied): left out of this snapshot',
      'note: /srv/docs/fifo is a FIFO: skipped',
    ]);
  });
});

describe('times for people', () => {
  it('in the job’s zone, with the zone’s own abbreviation', () => {
    expect(formatLocalTime('2026-07-05T01:00:00Z', 'Europe/London')).toBe('Sun 5 Jul 2026 02:00 BST');
    expect(formatLocalTime('2026-01-11T02:00:00Z', 'Europe/London')).toBe('Sun 11 Jan 2026 02:00 GMT');
  });

  it('relative to now, in the largest whole unit', () => {
    const now = new Date('2026-01-11T12:00:00Z');
    expect(relativeTime('2026-01-08T11:00:00Z', now)).toBe('3 days ago');
    expect(relativeTime('2026-01-11T13:30:00Z', now)).toBe('in 1 hour');
    expect(relativeTime('2026-01-11T11:59:30Z', now)).toBe('just now');
  });
});
