/** The person's choice of colours: light, dark, or whatever the system prefers. */
export type ThemeChoice = 'system' | 'light' | 'dark';
export const THEME_CHOICES: readonly ThemeChoice[] = ['system', 'light', 'dark'];

/** Where a trusted device keeps the choice: outside the store's `tidings:` keys, read before anything else runs. */
export const THEME_KEY = 'tidings-theme';

/** What the settings view may ask of the theme. */
export interface ThemeActions {
  current(): ThemeChoice;
  choose(choice: ThemeChoice): void;
}

type StorageLike = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

export interface ThemePreferenceOptions {
  /** The device's storage (localStorage), or null to keep the choice in memory only. */
  storage: StorageLike | null;
  /** Shows a choice (sets the class on the document's root); called at once with the stored choice. */
  apply: (choice: ThemeChoice) => void;
}

/**
 * The theme choice and where it is kept. A trusted device keeps it in
 * localStorage so the next start paints in it at once; a public computer
 * keeps it in memory only (`keepOnDevice(false)` also forgets what the
 * device held). It is a look, not personal data, so it is read before the
 * store loads; a logout's wipe removes it with everything else.
 */
export class ThemePreference implements ThemeActions {
  private choice: ThemeChoice;
  private keep = true;

  constructor(private readonly options: ThemePreferenceOptions) {
    this.choice = readChoice(options.storage);
    options.apply(this.choice);
  }

  current(): ThemeChoice {
    return this.choice;
  }

  choose(choice: ThemeChoice): void {
    if (!THEME_CHOICES.includes(choice)) throw new RangeError(`unknown theme "${String(choice)}": expected system, light or dark`);
    this.choice = choice;
    this.options.apply(choice);
    this.save();
  }

  /** Trusted session: keep the choice on the device; public computer: memory only, and the stored one goes. */
  keepOnDevice(keep: boolean): void {
    this.keep = keep;
    this.save();
  }

  private save(): void {
    const storage = this.options.storage;
    if (!storage) return;
    try {
      if (this.keep && this.choice !== 'system') storage.setItem(THEME_KEY, this.choice);
      else storage.removeItem(THEME_KEY);
    } catch {
      // Storage refused (quota, privacy mode): the choice still holds for this page.
    }
  }
}

function readChoice(storage: StorageLike | null): ThemeChoice {
  try {
    const stored = storage?.getItem(THEME_KEY);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}
