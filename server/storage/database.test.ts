import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeDatabase, DatabaseOpenError, openDatabase } from './database';

const REPO_ROOT = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'tidings-open-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) {
    chmodSync(dir, 0o755);
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Opens `path` as uid 65534 (root ignores permissions) and returns the error's code, or 'opened'. */
function openAsNobody(path: string): string {
  const script = `import('./server/storage/database.ts').then((m) => { try { m.openDatabase(${JSON.stringify(path)}, 'normal'); console.log('opened'); } catch (e) { console.log(e.code + ' ' + e.message); } });`;
  return execFileSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: REPO_ROOT, uid: 65534, gid: 65534, encoding: 'utf8' }).trim();
}

describe('openDatabase', () => {
  it('names the file when it cannot be opened', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a-file'), '');
    const path = join(dir, 'a-file', 'tidings.db');
    expect(() => openDatabase(path, 'normal')).toThrow(DatabaseOpenError);
    expect(() => openDatabase(path, 'normal')).toThrow(path);
  });

  it.skipIf(process.getuid?.() !== 0)('refuses a database it could only open read-only, instead of starting unable to store anything', () => {
    const dir = tempDir();
    const path = join(dir, 'tidings.db');
    closeDatabase(openDatabase(path, 'normal'));
    chownSync(dir, 65534, 65534);
    chownSync(path, 65534, 65534);
    // The directory stays writable: only the file is protected, which SQLite opens read-only without a word.
    chmodSync(path, 0o444);
    const answer = openAsNobody(path);
    expect(answer).toMatch(/^DATABASE_NOT_WRITABLE /);
    expect(answer).toContain(path);
    expect(answer).toContain('not writable');
  }, 30_000);

  it.skipIf(process.getuid?.() !== 0)('says the directory is not writable when the database cannot be created', () => {
    const dir = tempDir();
    chownSync(dir, 65534, 65534);
    chmodSync(dir, 0o555);
    expect(openAsNobody(join(dir, 'tidings.db'))).toMatch(/^DATABASE_NOT_WRITABLE .*not writable/);
  }, 30_000);
});
