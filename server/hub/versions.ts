/**
 * Versions of the per-user `contacts` and `conversations` resources. They
 * come from one hybrid clock: max(now in ms, last + 1), so they grow on every
 * change and keep growing across restarts without being stored. A user whose
 * resource has not changed since start reads the start version.
 */
export class ResourceVersions {
  private last: number;
  private startVersion: number;
  private readonly byKey = new Map<string, number>();

  constructor(private readonly now: () => number = Date.now) {
    this.last = now();
    this.startVersion = this.last;
  }

  /** The next clock value, larger than every earlier one. */
  tick(): number {
    this.last = Math.max(this.now(), this.last + 1);
    return this.last;
  }

  get(key: string): number {
    return this.byKey.get(key) ?? this.startVersion;
  }

  /** Marks these keys changed now; one version for all, so one notification frame serves them all. */
  bump(keys: string[]): number {
    const version = this.tick();
    for (const key of keys) this.byKey.set(key, version);
    return version;
  }

  /** Forgets per-user versions and moves the start version past every earlier one (mock reset). */
  reset(): void {
    this.byKey.clear();
    this.startVersion = this.tick();
  }
}
