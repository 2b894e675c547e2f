import Backbone from 'backbone';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDispatch, type Dispatch } from '../dispatch/dispatch';
import type { User } from '../protocol';
import { Store, type StoreBackends } from '../store/store';
import { storeSync } from '../store/store-sync';
import { RecordingBackend } from '../store/testing/recording-backend';
import { DraftCollection } from './draft-collection';

const alice: User = { id: 'u1', username: 'alice', displayName: 'Alice' };
let dispatch: Dispatch;
let backends: { local: RecordingBackend; indexed: RecordingBackend } & StoreBackends;

/** A tab of alice's on this device: its store signed in (trusted or public), and its drafts. */
async function tab(publicComputer = false): Promise<{ store: Store; drafts: DraftCollection }> {
  const store = new Store({ dispatch, backends });
  await store.useAccount(alice, publicComputer);
  store.addItems('session', { current: { id: 'current', user: alice, sessionToken: 'tok', publicComputer, expiresAt: 0 } });
  return { store, drafts: new DraftCollection({ dispatch, store }) };
}

// The drafts are saved and destroyed through Backbone.sync, as createClientCore points it.
beforeAll(() => {
  Backbone.sync = storeSync;
});

beforeEach(() => {
  dispatch = createDispatch();
  backends = { local: new RecordingBackend(), indexed: new RecordingBackend() };
});

describe('drafts', () => {
  it('are saved through the store and are there at the next cold start', async () => {
    const first = await tab();
    await first.drafts.draftFor('c1').save({ body: 'half a thought', updatedAt: 5 }, { wait: true });
    await first.store.flush();
    const cold = new Store({ dispatch: createDispatch(), backends });
    await cold.load();
    expect(new DraftCollection({ dispatch, store: cold }).draftFor('c1').get('body')).toBe('half a thought');
  });

  it('go from the store and the disk when destroyed (the message was sent)', async () => {
    const { store, drafts } = await tab();
    await drafts.draftFor('c1').save({ body: 'hello', updatedAt: 5 }, { wait: true });
    await drafts.draftFor('c1').destroy({ wait: true });
    await store.flush();
    expect(store.find('drafts', 'c1')).toBeUndefined();
    expect(drafts.length).toBe(0);
    expect(backends.local.data.get('tidings:u1:drafts')).toEqual({});
  });

  it('are kept in memory only on a public computer', async () => {
    const { store, drafts } = await tab(true);
    await drafts.draftFor('c1').save({ body: 'not on this disk', updatedAt: 5 }, { wait: true });
    await store.flush();
    expect(store.find('drafts', 'c1')?.body).toBe('not on this disk');
    expect([...backends.local.data.keys(), ...backends.indexed.data.keys()]).toEqual([]);
  });

  it('cannot be saved after a logout, so nothing written late reaches the next account', async () => {
    const { store, drafts } = await tab();
    const draft = drafts.draftFor('c1');
    await store.wipe();
    await expect(draft.save({ body: 'typed during the logout', updatedAt: 5 }, { wait: true })).rejects.toMatchObject({ code: 'NOT_AUTHENTICATED' });
    expect(store.findAll('drafts')).toEqual([]);
  });
});
