import { describe, expect, it } from 'vitest';
import { formatBytes, formatDuration, formatRate } from '../../src/ui/index.js';

describe('formatting numbers for people', () => {
  it('durations never show 60 seconds or 60 minutes', () => {
    expect(formatDuration(450)).toBe('450ms');
    expect(formatDuration(12_340)).toBe('12.3s');
    expect(formatDuration(479_900)).toBe('8m00s');
    expect(formatDuration(3_599_700)).toBe('1h00m');
    expect(formatDuration(3 * 3600_000 + 5 * 60_000)).toBe('3h05m');
  });

  it('sizes in binary units and rates per second', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(917 * 1024 * 1024)).toBe('917 MiB');
    expect(formatRate(10 * 1024 * 1024, 2000)).toBe('5.00 MiB/s');
  });
});
