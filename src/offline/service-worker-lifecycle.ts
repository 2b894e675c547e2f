import type { RegisterSWOptions } from 'vite-plugin-pwa/types';
import { UpdatePrompt } from './update-prompt';

/** `registerSW` of `virtual:pwa-register`, handed in so tests need no build. */
export type RegisterSW = (options: RegisterSWOptions) => (reloadPage?: boolean) => Promise<void>;

export interface ServiceWorkerLifecycleOptions {
  register: RegisterSW;
  prompt?: UpdatePrompt;
  doc?: Document;
  /** How often an open tab asks the server for a newer worker. */
  updateCheckMs?: number;
  /** Where `controllerchange` fires; defaults to navigator.serviceWorker. */
  container?: Pick<ServiceWorkerContainer, 'addEventListener' | 'removeEventListener'> | null;
  reload?: () => void;
}

/**
 * Registers the app-shell service worker and keeps the shell current: when a
 * new version is waiting it shows the "Reload" prompt, and if the tab is
 * hidden at that moment (or later, before anyone clicked) it switches at
 * once, so no stale shell lingers in a tab nobody is looking at. Unsent
 * messages are safe across the reload: the outbox is persisted.
 */
export class ServiceWorkerLifecycle {
  private readonly options: ServiceWorkerLifecycleOptions;
  private readonly prompt: UpdatePrompt;
  private readonly doc: Document;
  private applyUpdate: ((reloadPage?: boolean) => Promise<void>) | null = null;
  private updateWaiting = false;
  private timer: ReturnType<typeof setInterval> | null = null;
  private registration: ServiceWorkerRegistration | null = null;
  private started = false;
  private readonly onVisibility = (): void => {
    if (this.doc.visibilityState === 'hidden' && this.updateWaiting) void this.update();
    if (this.doc.visibilityState === 'visible') void this.registration?.update().catch(() => undefined);
  };

  constructor(options: ServiceWorkerLifecycleOptions) {
    this.options = options;
    this.doc = options.doc ?? document;
    this.prompt = options.prompt ?? new UpdatePrompt(this.doc);
  }

  /** Registers the worker; calling it again after `forget()` registers anew (logout removed it). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.doc.addEventListener('visibilitychange', this.onVisibility);
    this.applyUpdate = this.options.register({
      immediate: true,
      onNeedRefresh: () => this.onNeedRefresh(),
      onRegisteredSW: (_url, registration) => {
        this.registration = registration ?? null;
        if (!registration) return;
        this.timer = setInterval(() => void registration.update().catch(() => undefined), this.options.updateCheckMs ?? 60 * 60_000);
      },
      onRegisterError: (error: unknown) => console.warn('service worker registration failed', error),
    });
  }

  /** Whether a new version is waiting for the person's go-ahead. */
  isUpdateWaiting(): boolean {
    return this.updateWaiting;
  }

  /**
   * Activates the waiting worker; the page reloads once it controls the tab.
   * vite-plugin-pwa reloads only pages that had a controller when they
   * loaded, so a first visit that sees an update is reloaded here.
   */
  async update(): Promise<void> {
    this.prompt.hide();
    this.updateWaiting = false;
    const container = this.options.container === undefined ? (typeof navigator !== 'undefined' ? navigator.serviceWorker : null) : this.options.container;
    const reload = this.options.reload ?? (() => location.reload());
    const onControllerChange = (): void => {
      container?.removeEventListener('controllerchange', onControllerChange);
      reload();
    };
    container?.addEventListener('controllerchange', onControllerChange);
    await this.applyUpdate?.(true);
  }

  /** Stops the update checks (the registration itself is removed by `wipeEverything`). */
  forget(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    this.doc.removeEventListener('visibilitychange', this.onVisibility);
    this.prompt.hide();
    this.registration = null;
    this.applyUpdate = null;
    this.updateWaiting = false;
    this.started = false;
  }

  private onNeedRefresh(): void {
    this.updateWaiting = true;
    if (this.doc.visibilityState === 'hidden') {
      void this.update();
      return;
    }
    this.prompt.show(() => void this.update());
  }
}
