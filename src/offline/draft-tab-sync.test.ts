import Backbone from 'backbone';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDispatch } from '../dispatch/dispatch';
import { DraftCollection } from '../models/draft-collection';
import type { User } from '../protocol';
import { Store, type StoreBackends } from '../store/store';
import { storeSync } from '../store/store-sync';
import { RecordingBackend } from '../store/testing/recording-backend';
import { CrossTabChannel } from './cross-tab-channel';
import { syncDraftsAcrossTabs } from './draft-tab-sync';
import { channelHub } from './testing/fake-tabs';

const alice: User = { id: 'u1', username: 'alice', displayName: 'Alice' };
let device: StoreBackends;
let hub: ReturnType<typeof channelHub>;

/** A tab of alice's on this device: its own store and bus, the shared storage and channel. */
async function tab(publicComputer = false): Promise<{ store: Store; drafts: DraftCollection }> {
  const dispatch = createDispatch();
  const store = new Store({ dispatch, backends: device, flushDelayMs: 5 });
  await store.useAccount(alice, publicComputer);
  store.addItems('session', { current: { id: 'current', user: alice, sessionToken: 'tok', publicComputer, expiresAt: 0 } });
  syncDraftsAcrossTabs({ dispatch, store, channel: new CrossTabChannel({ create: hub }), batchMs: 5 });
  return { store, drafts: new DraftCollection({ dispatch, store }) };
}

beforeAll(() => {
  Backbone.sync = storeSync;
});
beforeEach(() => {
  vi.useRealTimers();
  device = { local: new RecordingBackend(), indexed: new RecordingBackend() };
  hub = channelHub();
});

const later = (ms = 20) => new Promise((resolve) => setTimeout(resolve, ms));

describe('drafts across tabs', () => {
  it('follow the person into the other tab as they are saved and dropped, and survive a restart with both tabs’ drafts', async () => {
    const first = await tab();
    const second = await tab();
    const shown = second.drafts.draftFor('c1'); // the composer of the second tab shows c1
    await first.drafts.draftFor('c1').save({ body: 'half a thought', updatedAt: 5 }, { wait: true });
    await second.drafts.draftFor('c2').save({ body: 'another', updatedAt: 6 }, { wait: true });
    await later();
    expect(shown.get('body')).toBe('half a thought');
    expect(first.drafts.get('c2')?.get('body')).toBe('another');
    await Promise.all([first.store.flush(), second.store.flush()]);
    const restarted = new Store({ dispatch: createDispatch(), backends: device });
    await restarted.load();
    expect(restarted.findAll('drafts').map((d) => d.body).sort()).toEqual(['another', 'half a thought']);
    await first.drafts.draftFor('c1').destroy({ wait: true });
    await later();
    expect(second.drafts.get('c1')).toBeUndefined();
  });

  it('an older draft told late does not replace a newer one', async () => {
    const first = await tab();
    const second = await tab();
    await second.drafts.draftFor('c1').save({ body: 'newer', updatedAt: 10 }, { wait: true });
    await later();
    await first.drafts.draftFor('c1').save({ body: 'older', updatedAt: 3 }, { wait: true });
    await later();
    expect(second.drafts.get('c1')?.get('body')).toBe('newer');
  });

  it('stay in the tab on a public computer: nothing told, nothing stored', async () => {
    const first = await tab(true);
    const second = await tab(true);
    await first.drafts.draftFor('c1').save({ body: 'not shared', updatedAt: 5 }, { wait: true });
    await later();
    expect(second.drafts.get('c1')).toBeUndefined();
    expect([...(device.local as RecordingBackend).data.keys(), ...(device.indexed as RecordingBackend).data.keys()]).toEqual([]);
  });
});
