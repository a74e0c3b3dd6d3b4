import type { BusInbox, BusSubscription } from '../bus.interface.js';
import { LazyConnection } from '../../utils/lazy-connection.js';

/** Something a bus opens on its client and closes before it. */
interface Closable {
  close(): Promise<void>;
}

/**
 * The lifecycle every bus shares, composed rather than inherited: the client connects on first
 * use (once, however many callers wait; again after a failed attempt), what the bus opens on
 * it is tracked until it closes, and closing the bus closes all of that, then the client.
 *
 * @typeParam C what `connect` opens: the bus's client objects
 */
export class BusLifecycle<C> {
  private readonly connection: LazyConnection<C>;
  private readonly opened = new Set<Closable>();
  private closing: Promise<void> | undefined;

  /**
   * @param connect opens the client; a rejection is forgotten, so the next use tries again
   * @param disconnect closes it, once what was opened on it is closed
   */
  constructor(
    connect: () => Promise<C>,
    private readonly disconnect: (client: C) => Promise<void>,
  ) {
    this.connection = new LazyConnection(connect);
  }

  /** The connected client, connecting on first use. */
  client(): Promise<C> {
    return this.connection.get();
  }

  /** The client or the attempt under way, without starting one (for health checks). */
  current(): Promise<C> | undefined {
    return this.connection.current();
  }

  /** `subscription`, closed with the bus unless it is closed before. */
  subscription(subscription: BusSubscription): BusSubscription {
    return { close: this.tracked(subscription), lag: subscription.lag?.bind(subscription), state: subscription.state?.bind(subscription) };
  }

  /** `inbox`, closed with the bus unless it is closed before. */
  inbox(inbox: BusInbox): BusInbox {
    return { address: inbox.address, close: this.tracked(inbox), lag: inbox.lag?.bind(inbox) };
  }

  /** Closes what is open, then the client; calls during a close share it. */
  close(): Promise<void> {
    this.closing ??= this.closeAll().finally(() => (this.closing = undefined));
    return this.closing;
  }

  private async closeAll(): Promise<void> {
    // Subscriptions drain first: their handlers may still publish (replies) on the client.
    await Promise.allSettled([...this.opened].map((closable) => closable.close()));
    this.opened.clear();
    const client = await this.connection.take()?.catch(() => undefined);
    if (client !== undefined) await this.disconnect(client);
  }

  /** Remembers `closable` and returns its close, which forgets it again. */
  private tracked(closable: Closable): () => Promise<void> {
    this.opened.add(closable);
    return () => {
      this.opened.delete(closable);
      return closable.close();
    };
  }
}
