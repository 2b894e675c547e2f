import type { Dispatch } from '../dispatch/dispatch';

/** The parts of `navigator` the app badge uses; both are missing where the browser has no Badging API. */
export interface AppBadgeLike {
  setAppBadge?(count?: number): Promise<void>;
  clearAppBadge?(): Promise<void>;
}

export interface TabBadgeOptions {
  dispatch: Dispatch;
  document: Document;
  /** `navigator` in the app: the installed app's badge, where there is one. */
  appBadge: AppBadgeLike | null;
  /** The unread total when installed (it changes through `unread:change`). */
  initialTotal: number;
  /** Draws the tab's icon with the count on it, as a data: URL; null leaves the icon as it is. */
  drawIcon: ((count: number) => Promise<string | null>) | null;
  baseTitle?: string;
}

/**
 * Shows the unread total outside the page: the tab's title ("(3) Tidings"),
 * a badge on the tab's icon, and the installed app's badge
 * (`navigator.setAppBadge`, feature-detected). A logout (`session:ended`) puts all three back
 * at once. Returns a function that undoes it.
 */
export function installTabBadge(options: TabBadgeOptions): () => void {
  const { dispatch, document } = options;
  const baseTitle = options.baseTitle ?? 'Tidings';
  const link = document.querySelector<HTMLLinkElement>('link[rel~="icon"]');
  const baseIcon = link?.getAttribute('href') ?? null;
  const baseType = link?.getAttribute('type') ?? null;
  let drawn = 0;
  let shown: number | null = null;

  const show = (total: number): void => {
    if (total === shown) return;
    shown = total;
    document.title = total > 0 ? `(${total > 999 ? '999+' : total}) ${baseTitle}` : baseTitle;
    showAppBadge(options.appBadge, total);
    const turn = ++drawn;
    if (!link || baseIcon === null) return;
    if (total === 0 || !options.drawIcon) return restoreIcon(link, baseIcon, baseType);
    void options.drawIcon(total).then((url) => {
      // A later count drew meanwhile, or nothing could be drawn.
      if (turn !== drawn || url === null) return;
      link.setAttribute('href', url);
      link.setAttribute('type', 'image/png');
    });
  };

  show(options.initialTotal);
  const stops = [
    dispatch.subscribe('unread:change', ({ total }) => show(total)),
    dispatch.subscribe('session:ended', () => show(0)),
  ];
  return () => {
    for (const stop of stops) stop();
    show(0);
  };
}

function restoreIcon(link: HTMLLinkElement, href: string, type: string | null): void {
  link.setAttribute('href', href);
  if (type === null) link.removeAttribute('type');
  else link.setAttribute('type', type);
}

function showAppBadge(badge: AppBadgeLike | null, total: number): void {
  const done = total > 0 ? badge?.setAppBadge?.(total) : badge?.clearAppBadge?.();
  // Refused where the app is not installed, or the document is not allowed: the title still says it.
  done?.catch(() => undefined);
}
