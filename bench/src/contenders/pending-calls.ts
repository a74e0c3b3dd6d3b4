import type { EchoReply } from '../shared/echo.js';

/**
 * The raw loops' calls waiting for their replies, by correlation id: `call` sends a request and
 * resolves with the reply `answer` is given for its id (a reply nobody waits for is ignored).
 */
export class PendingCalls {
  private readonly waiting = new Map<string, (reply: EchoReply) => void>();

  call(id: string, send: () => Promise<void>): Promise<EchoReply> {
    return new Promise<EchoReply>((resolve, reject) => {
      this.waiting.set(id, resolve);
      send().catch((error: Error) => {
        this.waiting.delete(id);
        reject(error);
      });
    });
  }

  answer(id: string, reply: EchoReply): void {
    const resolve = this.waiting.get(id);
    if (!resolve) return;
    this.waiting.delete(id);
    resolve(reply);
  }
}
