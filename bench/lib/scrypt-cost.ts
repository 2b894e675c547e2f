import { defaultConfig } from '../../server/config';
import { hashPassword } from '../../server/auth/password';

/**
 * The cost of one password hash with the server's own scrypt parameters:
 * reported on its own, because seeding skips it for every benchmark account.
 */
export async function measureScrypt(): Promise<{ ms: number; params: string }> {
  const params = defaultConfig().scrypt;
  await hashPassword('warm-up-password', params);
  const t0 = performance.now();
  await hashPassword('benchmark-password', params);
  return { ms: performance.now() - t0, params: `N=${params.N}, r=${params.r}, p=${params.p}` };
}
