import { describe, expect, it } from 'vitest';
import { newId } from './ids';

describe('newId', () => {
  it('gives 16 random bytes in base64url after the prefix, never the same twice across pool refills', () => {
    const ids = Array.from({ length: 2000 }, () => newId('m'));
    for (const id of ids) expect(id).toMatch(/^m_[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
