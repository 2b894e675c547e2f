import Backbone from 'backbone';
import { describe, expect, it } from 'vitest';
import { FakeWebSocketImpl } from '../communicator/testing/fake-web-socket';
import { createClientCore } from '../core/create-client-core';
import type { Contact } from '../protocol';
import { storeSync } from './store-sync';

const bob: Contact = { id: 'u2', username: 'bob', displayName: 'Bob', online: false, lastSeenAt: null };

function core() {
  return createClientCore({ url: 'ws://fake/ws', WebSocketImpl: FakeWebSocketImpl, storage: 'memory', onlineEvents: null, visibility: null, outboxLeadership: null });
}

describe('Backbone.sync over the store', () => {
  it('reads each collection from the store declared on it, whichever core was built last', async () => {
    const first = core();
    const second = core();
    first.store.addItems('contacts', { u2: bob });
    const contacts = first.collections.contacts;
    contacts.reset();
    await contacts.fetch();
    expect(contacts.pluck('username')).toEqual(['bob']);
    second.collections.contacts.reset();
    await second.collections.contacts.fetch();
    expect(second.collections.contacts.length).toBe(0);
  });

  it('refuses, with a code and a sentence, a collection that declares no store', async () => {
    const error = await storeSync('read', new Backbone.Collection(), {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_PAYLOAD', message: expect.stringMatching(/declares a store/) });
  });
});
