import Backbone from 'backbone';
import type { PreferenceRecord } from '../store/records';

/** One choice the person made on this device (notifications on or off, a muted conversation); saved through the store. */
export class Preference extends Backbone.Model<PreferenceRecord> {
  override preinitialize(): void {
    this.idAttribute = 'id';
  }

  get schemaName(): 'preferences' {
    return 'preferences';
  }
}
