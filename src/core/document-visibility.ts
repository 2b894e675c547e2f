import type { VisibilitySource } from '../controllers/receipt-controller';

/**
 * The page's visibility for read receipts: visible and focused. Null outside
 * a browser (Node tests), where every conversation counts as seen.
 */
export function documentVisibility(): VisibilitySource | null {
  if (typeof document === 'undefined' || typeof window === 'undefined') return null;
  return {
    isVisible: () => document.visibilityState === 'visible' && (typeof document.hasFocus !== 'function' || document.hasFocus()),
    addEventListener(type, listener) {
      (type === 'focus' || type === 'blur' ? window : document).addEventListener(type, listener);
    },
    removeEventListener(type, listener) {
      (type === 'focus' || type === 'blur' ? window : document).removeEventListener(type, listener);
    },
  };
}
