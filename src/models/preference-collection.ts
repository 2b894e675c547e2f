import Backbone from 'backbone';
import type { NotificationPreference, PreferenceRecord } from '../store/records';
import type { StoreChange } from '../store/schemas';
import type { Store } from '../store/store';
import type { ModelContext } from './model-context';
import { Preference } from './preference';
import { applyStoreChange } from './store-backed-collection';

const OFF: Omit<NotificationPreference, 'updatedAt'> = { id: 'notifications', kind: 'notifications', enabled: false, promptAnswered: false };

/**
 * The person's choices on this device: whether notifications are on, and
 * which conversations are muted. Fetched from the store declared on it and
 * following `store:change:preferences`; its models are saved and destroyed
 * through Backbone.sync, so they persist like the drafts (memory only on a
 * public computer) and go with a logout's wipe.
 */
export class PreferenceCollection extends Backbone.Collection<Preference> {
  readonly schemaName = 'preferences' as const;
  readonly store: Store;
  private readonly now: () => number;

  constructor(context: ModelContext, now: () => number = Date.now) {
    super();
    this.store = context.store;
    this.now = now;
    void this.fetch({ reset: true });
    this.listenTo(context.dispatch, 'store:change:preferences', this.updatePreferences);
  }

  override preinitialize(): void {
    this.model = Preference;
  }

  /** The notification choice; off until the person turns it on. */
  notifications(): NotificationPreference {
    const stored = this.get('notifications')?.attributes as NotificationPreference | undefined;
    return stored ?? { ...OFF, updatedAt: 0 };
  }

  /** Saves a change to the notification choice; resolves once the store holds it. */
  async saveNotifications(change: Partial<Pick<NotificationPreference, 'enabled' | 'promptAnswered'>>): Promise<void> {
    const next: NotificationPreference = { ...this.notifications(), ...change, updatedAt: this.now() };
    const existing = this.get('notifications');
    if (existing) await existing.save(next, { wait: true });
    else await this.saveNew(next);
  }

  isMuted(conversationId: string): boolean {
    return this.get(muteId(conversationId)) !== undefined;
  }

  /** Mutes (stores a record) or unmutes (destroys it) one conversation. */
  async setMuted(conversationId: string, muted: boolean): Promise<void> {
    const existing = this.get(muteId(conversationId));
    if (muted && !existing) {
      await this.saveNew({ id: muteId(conversationId), kind: 'mute', conversationId, updatedAt: this.now() });
    } else if (!muted && existing) {
      await existing.destroy({ wait: true });
    }
  }

  /** A record the collection does not hold yet: added only once the store took it (a refused save leaves nothing behind). */
  private async saveNew(record: PreferenceRecord): Promise<void> {
    const model = new Preference(record);
    model.collection = this;
    await model.save(null, { wait: true });
    this.add(model, { merge: true });
  }

  private updatePreferences(change: StoreChange<'preferences'>): void {
    applyStoreChange(this, change.preferences, (id) => this.store.find('preferences', id));
  }
}

export function muteId(conversationId: string): `mute:${string}` {
  return `mute:${conversationId}`;
}
