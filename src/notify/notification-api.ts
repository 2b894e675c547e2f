/** The browser's permission for system notifications, or `unsupported` where there is no Notification API. */
export type NotificationPermissionState = 'default' | 'granted' | 'denied' | 'unsupported';

/** What is shown: the fields of the Notification constructor's options the notifier uses. */
export interface NotificationContent {
  title: string;
  body: string;
  /** One per conversation, so a newer notification replaces the older instead of stacking. */
  tag: string;
  icon?: string;
}

/** A notification on screen: the notifier keeps it to close it (read elsewhere, logout). */
export interface ShownNotification {
  close(): void;
  onclick: ((event: Event) => void) | null;
}

/**
 * The Notification API as the notifier uses it, injected so tests (and the
 * e2e recorder) can stand in for the browser's: read the permission, ask for
 * it (only from a person's gesture), show one.
 */
export interface NotificationApi {
  permission(): NotificationPermissionState;
  requestPermission(): Promise<NotificationPermissionState>;
  /** Null when the browser refused to show it (Android's Chrome allows them only from a service worker). */
  show(content: NotificationContent): ShownNotification | null;
}

/** The page's own Notification API, or null where the browser has none. */
export function browserNotificationApi(scope: typeof globalThis = globalThis): NotificationApi | null {
  const NotificationImpl = (scope as { Notification?: typeof Notification }).Notification;
  if (typeof NotificationImpl !== 'function') return null;
  return {
    permission: () => NotificationImpl.permission,
    requestPermission: async () => {
      try {
        return await NotificationImpl.requestPermission();
      } catch {
        return NotificationImpl.permission;
      }
    },
    show: ({ title, ...options }) => {
      try {
        return new NotificationImpl(title, options);
      } catch (error) {
        console.warn('could not show a notification', error);
        return null;
      }
    },
  };
}
