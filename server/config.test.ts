import { describe, expect, it } from 'vitest';
import { AUTH_SETTINGS, authLimitsFromEnv, authSettingsHelp, defaultConfig } from './config';

describe('login, sign-up and hashing settings', () => {
  it('has a default for each, reads each from its environment variable, and lists each in --help', () => {
    const limits = defaultConfig().limits;
    for (const setting of AUTH_SETTINGS) expect(limits[setting.key]).toBe(setting.value);
    expect(authLimitsFromEnv({ PASSWORD_HASH_CONCURRENCY: '3', SESSIONS_PER_USER: '7', LOGIN_DELAY_BASE_MS: '' })).toEqual({
      passwordHashConcurrency: 3,
      sessionsPerUser: 7,
    });
    const help = authSettingsHelp();
    for (const setting of AUTH_SETTINGS) expect(help).toContain(setting.env);
  });

  it('refuses a value that is not a positive integer, naming the variable', () => {
    expect(() => authLimitsFromEnv({ LOGIN_FAILURES_PER_ADDRESS: '0' })).toThrow('LOGIN_FAILURES_PER_ADDRESS must be a positive integer, got "0"');
    expect(() => authLimitsFromEnv({ PASSWORD_HASH_QUEUE: 'lots' })).toThrow('PASSWORD_HASH_QUEUE must be a positive integer, got "lots"');
  });
});
