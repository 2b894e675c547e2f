import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArgs } from './options';

/** The target list a run gets: the durable peer by default, the baseline checkout only with its directory. */
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const empty = mkdtempSync(join(tmpdir(), 'not-a-checkout-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('bench options: targets', () => {
  it('runs the durable peer beside the relay, Socket.IO and the real server by default', () => {
    expect(parseArgs(['chat']).options!.targets).toEqual(['raw', 'socketio', 'socketio-sqlite', 'real']);
  });

  it('adds real-base when a baseline checkout is given, and keeps an explicit list as it is', () => {
    expect(parseArgs(['chat', '--baseline-checkout', REPO_ROOT]).options!.targets).toEqual(['raw', 'socketio', 'socketio-sqlite', 'real', 'real-base']);
    expect(parseArgs(['chat', '--baseline-checkout', REPO_ROOT, '--targets', 'real,real-base']).options!.targets).toEqual(['real', 'real-base']);
    expect(parseArgs(['storm', '--baseline-checkout', REPO_ROOT]).options!.targets).toEqual(['real']);
  });

  it('refuses real-base without a checkout, and a directory that is not one, naming it', () => {
    expect(() => parseArgs(['chat', '--targets', 'real,real-base'])).toThrow(/real-base needs --baseline-checkout/);
    expect(() => parseArgs(['chat', '--baseline-checkout', empty])).toThrow(new RegExp(`${empty}.*has no server/main.ts`));
    expect(() => parseArgs(['chat', '--targets', 'socketio-mysql'])).toThrow(/unknown target "socketio-mysql": the targets are raw, socketio, socketio-sqlite, real, real-base/);
  });
});
