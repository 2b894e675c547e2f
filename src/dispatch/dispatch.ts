import Backbone from 'backbone';
import _ from 'underscore';
import type { BusEventName, BusEvents } from './bus-events';

/**
 * The dispatch bus: a plain `Backbone.Events` object (views `listenTo` it)
 * with typed helpers so a trigger and its listeners agree on the payload.
 * Build one per client core; there is no module-level instance.
 */
export interface Dispatch extends Backbone.Events {
  /** Triggers `name` with its typed payload. */
  emit<K extends BusEventName>(name: K, payload: BusEvents[K]): void;
  /** Listens to `name`; returns a function that stops listening. */
  subscribe<K extends BusEventName>(name: K, callback: (payload: BusEvents[K]) => void, context?: unknown): () => void;
}

export function createDispatch(): Dispatch {
  const bus = _.extend({}, Backbone.Events) as Dispatch;
  bus.emit = function emit(name, payload) {
    this.trigger(name, payload);
  };
  bus.subscribe = function subscribe(name, callback, context) {
    this.on(name, callback, context);
    return () => this.off(name, callback, context);
  };
  return bus;
}
