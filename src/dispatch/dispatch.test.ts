import { describe, expect, it } from 'vitest';
import { createDispatch } from './dispatch';

describe('dispatch bus', () => {
  it('delivers typed payloads to listeners and stops on unsubscribe', () => {
    const bus = createDispatch();
    const seen: number[] = [];
    const off = bus.subscribe('PongResponse', (p) => seen.push(p.serverTime));
    bus.emit('PongResponse', { serverTime: 7 });
    off();
    bus.emit('PongResponse', { serverTime: 8 });
    expect(seen).toEqual([7]);
  });

  it('is a Backbone.Events object that other objects can listenTo', () => {
    const bus = createDispatch();
    const other = createDispatch();
    const seen: string[][] = [];
    other.listenTo(bus, 'store:change:contacts', (p: { contacts: string[] }) => seen.push(p.contacts));
    bus.emit('store:change:contacts', { contacts: ['u1'] });
    other.stopListening();
    bus.emit('store:change:contacts', { contacts: ['u2'] });
    expect(seen).toEqual([['u1']]);
  });

  it('keeps separate buses apart', () => {
    const a = createDispatch();
    const b = createDispatch();
    let hits = 0;
    a.subscribe('session:ended', () => hits++);
    b.emit('session:ended', { reason: 'logout' });
    expect(hits).toBe(0);
  });
});
