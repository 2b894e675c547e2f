import type { Dispatch } from '../dispatch/dispatch';
import type { PreferenceCollection } from '../models/preference-collection';
import type { NotificationApi, NotificationPermissionState } from './notification-api';
import type { UnreadCounter } from './unread-counter';

/** What the settings, the prompt bar and the mute buttons show. */
export interface NotificationStatus {
  permission: NotificationPermissionState;
  /** The person turned notifications on (and the browser allows them). */
  enabled: boolean;
  /** The "Turn on notifications" bar should show: never answered, the browser could still allow them. */
  offerPrompt: boolean;
}

/** What the views may ask of notifications, mutes and the unread total. */
export interface NotificationActions {
  status(): NotificationStatus;
  /**
   * Asks the browser's permission (call it from a click: browsers refuse
   * a request that no gesture started) and turns notifications on when it
   * is given. Resolves to the status after.
   */
  enable(): Promise<NotificationStatus>;
  disable(): Promise<void>;
  /** "Not now" on the prompt bar: it does not show again on this device. */
  dismissPrompt(): Promise<void>;
  isMuted(conversationId: string): boolean;
  setMuted(conversationId: string, muted: boolean): Promise<void>;
  /** Unread messages over the conversations not muted: the tab's title and badge. */
  unreadTotal(): number;
}

/** Fired when the status may have changed (a choice here or in another tab, a permission answered). */
declare module '../dispatch/bus-events' {
  interface BusEvents {
    'notifications:change': NotificationStatus;
  }
}

export interface NotificationSettingsOptions {
  dispatch: Dispatch;
  preferences: PreferenceCollection;
  api: NotificationApi | null;
  unread: UnreadCounter;
}

/** The notification choices over the store's preferences and the browser's permission. */
export class NotificationSettings implements NotificationActions {
  private readonly stop: () => void;

  constructor(private readonly options: NotificationSettingsOptions) {
    this.stop = options.dispatch.subscribe('store:change:preferences', () => this.changed());
  }

  status(): NotificationStatus {
    const { api, preferences } = this.options;
    const permission = api?.permission() ?? 'unsupported';
    const choice = preferences.notifications();
    return {
      permission,
      enabled: permission === 'granted' && choice.enabled,
      offerPrompt: (permission === 'default' || permission === 'granted') && !choice.enabled && !choice.promptAnswered,
    };
  }

  async enable(): Promise<NotificationStatus> {
    const { api, preferences } = this.options;
    if (!api) return this.status();
    // Asked first, before any await: the browser counts the gesture only until the first task ends.
    const permission = api.permission() === 'granted' ? 'granted' : await api.requestPermission();
    await preferences.saveNotifications({ enabled: permission === 'granted', promptAnswered: true });
    return this.changed();
  }

  async disable(): Promise<void> {
    await this.options.preferences.saveNotifications({ enabled: false, promptAnswered: true });
  }

  async dismissPrompt(): Promise<void> {
    await this.options.preferences.saveNotifications({ promptAnswered: true });
  }

  isMuted(conversationId: string): boolean {
    return this.options.preferences.isMuted(conversationId);
  }

  async setMuted(conversationId: string, muted: boolean): Promise<void> {
    await this.options.preferences.setMuted(conversationId, muted);
    this.options.unread.recount();
  }

  unreadTotal(): number {
    return this.options.unread.current();
  }

  dispose(): void {
    this.stop();
  }

  private changed(): NotificationStatus {
    const status = this.status();
    this.options.dispatch.trigger('notifications:change', status);
    return status;
  }
}
