import type { Dispatch } from '../dispatch/dispatch';
import type { Store } from '../store/store';

/** What models and collections read besides their own attributes: the store, the bus, and who "I" am. */
export interface ModelContext {
  dispatch: Dispatch;
  store: Store;
  selfId(): string | null;
}
