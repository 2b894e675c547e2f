/**
 * A page restored from the back/forward cache comes back with its memory:
 * on a public computer that would be the previous person's chat, token and
 * all. Such a page is reloaded instead, which (public mode persisting
 * nothing) shows the login form.
 */
export function guardBackForwardCache(options: {
  isPublicSession: () => boolean;
  reload: () => void;
  target?: Pick<Window, 'addEventListener' | 'removeEventListener'>;
}): () => void {
  const target = options.target ?? window;
  let wasPublic = false;
  const onPageHide = (): void => {
    wasPublic = options.isPublicSession();
  };
  const onPageShow = (event: Event): void => {
    if ((event as PageTransitionEvent).persisted && (wasPublic || options.isPublicSession())) options.reload();
  };
  target.addEventListener('pagehide', onPageHide);
  target.addEventListener('pageshow', onPageShow);
  return () => {
    target.removeEventListener('pagehide', onPageHide);
    target.removeEventListener('pageshow', onPageShow);
  };
}
