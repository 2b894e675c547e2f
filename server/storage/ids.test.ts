import { describe, expect, it } from 'vitest';
import { newEntryId, newId } from './ids';

describe('newId', () => {
  it('gives 16 random bytes in base64url after the prefix, never the same twice across pool refills', () => {
    const ids = Array.from({ length: 2000 }, () => newId('m'));
    for (const id of ids) expect(id).toMatch(/^m_[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('newEntryId', () => {
  it('starts with the time in hex, so that ids made later sort after (as SQLite compares text), and stays unguessable', () => {
    const early = Array.from({ length: 200 }, () => newEntryId(1_765_000_000_000));
    const later = newEntryId(1_765_000_000_001);
    for (const id of early) {
      expect(id).toMatch(/^m_[0-9a-f]{11}[A-Za-z0-9_-]{22}$/);
      expect(id < later).toBe(true);
    }
    expect(new Set(early).size).toBe(early.length);
  });
});
