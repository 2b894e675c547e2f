import type { Dispatch } from '../dispatch/dispatch';
import type { Store } from '../store/store';

/**
 * What the core hands a collection it builds: the store it declares (and so
 * reads and writes through Backbone.sync) and the bus its store:change
 * events arrive on.
 */
export interface ModelContext {
  dispatch: Dispatch;
  store: Store;
}

/** Who "I" am: the signed-in user of the store's session record, as the login controller keeps it. */
export function selfIdIn(store: Store): string | null {
  return store.find('session', 'current')?.user.id ?? null;
}
