import { describe, expect, it } from 'vitest';
import { OWASP_SCRYPT } from '../config';
import { hashPassword, verifyPassword } from './password';

describe('password hashing', () => {
  it('hashes with the OWASP scrypt cost by default and verifies with timing-safe comparison', async () => {
    const started = performance.now();
    const hash = await hashPassword('tidings-secret', OWASP_SCRYPT);
    const ms = performance.now() - started;
    const [scheme, n, r, p, salt, key] = hash.split('$');
    expect([scheme, n, r, p]).toEqual(['scrypt', '65536', '8', '1']);
    expect(Buffer.from(salt!, 'base64')).toHaveLength(16);
    expect(Buffer.from(key!, 'base64')).toHaveLength(64);
    expect(await verifyPassword('tidings-secret', hash)).toBe(true);
    expect(await verifyPassword('tidings-secreT', hash)).toBe(false);
    expect(ms).toBeGreaterThan(1);
    console.info(`scrypt N=2^16 r=8 p=1: ${ms.toFixed(0)} ms per hash`);
  });

  it('salts every hash and rejects malformed stored values', async () => {
    const params = { N: 1024, r: 8, p: 1 };
    const a = await hashPassword('same password', params);
    const b = await hashPassword('same password', params);
    expect(a).not.toBe(b);
    expect(await verifyPassword('same password', 'plain-text')).toBe(false);
  });
});
