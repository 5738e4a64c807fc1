import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatRecoveryKey, generateRecoveryKey, normalizeRecoveryKey } from '../../src/repository/index.js';

describe('recovery keys', () => {
  it('normalizes its printed form back to itself, in any case and with any separators', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 20, maxLength: 20 }), (bytes) => {
        const key = generateRecoveryKey(bytes);
        expect(key).toHaveLength(36);
        const printed = formatRecoveryKey(key);
        expect(normalizeRecoveryKey(printed)).toBe(key);
        expect(normalizeRecoveryKey(printed.toLowerCase().replaceAll('-', ' '))).toBe(key);
      }),
    );
  });

  it('reads the look-alikes I, L and O as 1, 1 and 0', () => {
    const key = generateRecoveryKey(new Uint8Array(20)); // all zero bits: zeros throughout the data part
    expect(key.startsWith('0000')).toBe(true);
    expect(normalizeRecoveryKey(`OoOo${key.slice(4)}`)).toBe(key);
  });

  it('catches every single-character substitution in a sample of keys', () => {
    const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
    for (let seed = 1; seed <= 5; seed++) {
      const key = generateRecoveryKey(new Uint8Array(20).map((_, i) => (i * 37 + seed * 11) & 0xff));
      for (let pos = 0; pos < key.length; pos++) {
        const other = alphabet[(alphabet.indexOf(key[pos]!) + seed) % 32]!;
        const typo = key.slice(0, pos) + other + key.slice(pos + 1);
        expect(() => normalizeRecoveryKey(typo)).toThrow(/typing mistake/);
      }
    }
  });

  it('refuses the wrong length with a message about the groups', () => {
    expect(() => normalizeRecoveryKey('ABCD-EFGH')).toThrow(/nine groups of four/);
  });
});
