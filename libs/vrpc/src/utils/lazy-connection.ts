/**
 * Opens a connection on first use and shares it; an attempt that fails is forgotten, so the
 * next use tries again.
 */
export class LazyConnection<T> {
  private pending: Promise<T> | undefined;
  /** What `pending` resolved to; set only while `pending` is that attempt (see `get` and `take`). */
  private value: T | undefined;

  constructor(private readonly open: () => Promise<T>) {}

  /** The connection, opening it if there is none (or the last attempt failed). */
  get(): Promise<T> {
    if (!this.pending) {
      const attempt = this.open();
      this.pending = attempt;
      attempt.then(
        (value) => {
          // A connection taken (or replaced) before it opened is not the current one.
          if (this.pending === attempt) this.value = value;
        },
        () => {
          if (this.pending === attempt) this.pending = undefined;
        },
      );
    }
    return this.pending;
  }

  /** The connection or attempt under way, without starting one. */
  current(): Promise<T> | undefined {
    return this.pending;
  }

  /** The current connection if it has opened: lets hot paths use it without awaiting. */
  opened(): T | undefined {
    return this.value;
  }

  /** Forgets the connection and hands it over (to be closed). */
  take(): Promise<T> | undefined {
    const pending = this.pending;
    this.pending = undefined;
    this.value = undefined;
    return pending;
  }
}
