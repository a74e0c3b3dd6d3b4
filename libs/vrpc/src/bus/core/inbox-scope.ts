import { ConfigMessages } from '../../errors/vrpc.messages.js';
import { VrpcConfigError } from '../../errors/vrpc-config.error.js';
import type { InboxOptions } from '../bus.interface.js';

/**
 * For buses whose inboxes are private to one instance (NATS subjects, AMQP queues): there is
 * no shared reply topic to read whole, so `whole-topic` is refused before anything is opened.
 */
export function requireOwnInbox(bus: string, options: InboxOptions | undefined): void {
  if ((options?.scope ?? 'own-partition') !== 'own-partition') {
    throw new VrpcConfigError('client.replyInbox', ConfigMessages.inboxScopeUnsupported(bus, options?.scope ?? ''));
  }
}
