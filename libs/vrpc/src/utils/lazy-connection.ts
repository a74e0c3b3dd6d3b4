/**
 * Opens a connection on first use and shares it; an attempt that fails is forgotten, so the
 * next use tries again.
 */
export class LazyConnection<T> {
  private pending: Promise<T> | undefined;

  constructor(private readonly open: () => Promise<T>) {}

  /** The connection, opening it if there is none (or the last attempt failed). */
  get(): Promise<T> {
    if (!this.pending) {
      const attempt = this.open();
      this.pending = attempt;
      attempt.catch(() => {
        if (this.pending === attempt) this.pending = undefined;
      });
    }
    return this.pending;
  }

  /** The connection or attempt under way, without starting one. */
  current(): Promise<T> | undefined {
    return this.pending;
  }

  /** Forgets the connection and hands it over (to be closed). */
  take(): Promise<T> | undefined {
    const pending = this.pending;
    this.pending = undefined;
    return pending;
  }
}
