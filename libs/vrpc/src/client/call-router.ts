import type { RequestEnvelope, ResponseEnvelope } from '../protocol/envelope.js';
import { DirectCaller } from '../grpc/direct-caller.js';
import { raceDeadline } from '../utils/race-deadline.js';
import type { CallRegistry } from './call-registry.js';
import type { VrpcFallbackRoute } from './fallback-route.interface.js';
import { requestEnvelope, type RequestParts } from './request-message.js';
import type { RequestPublisher } from './request-publisher.js';

const DEFAULT_BUS_TIMEOUT_MS = 2_000;

/** Calls a service's gRPC address directly (`DirectCaller`). */
export interface DirectPath {
  call(envelope: RequestEnvelope): Promise<ResponseEnvelope>;
}

/** The direct caller the fallback routes need, if any route is configured. */
export function directCallerFor(fallback: Record<string, VrpcFallbackRoute>): DirectCaller | undefined {
  const routes = Object.entries(fallback);
  if (routes.length === 0) return undefined;
  return new DirectCaller(Object.fromEntries(routes.map(([service, route]) => [service, route.address])));
}

/** Sends each call on its way: over the bus, or directly where its service's fallback route says so. */
export class CallRouter {
  constructor(
    private readonly publisher: Pick<RequestPublisher, 'publish'>,
    private readonly calls: Pick<CallRegistry, 'settle'>,
    private readonly fallback: Record<string, VrpcFallbackRoute>,
    private readonly direct: DirectPath | undefined,
  ) {}

  /** Resolves once the request is on its way (a direct reply is settled); rejects when it could not be sent. */
  send(parts: RequestParts): Promise<void> {
    // Without fallback routes every call goes over the bus: no routing step.
    return this.direct ? this.route(parts, this.direct) : this.publisher.publish(parts, parts.deadline);
  }

  private async route(parts: RequestParts, direct: DirectPath): Promise<void> {
    // Already late (a deadline in the past): the deadline timer answers; nothing is sent.
    if (parts.deadline <= Date.now()) return;
    const fallback = this.fallback[parts.serviceName] as VrpcFallbackRoute | undefined;
    if (fallback?.mode === 'direct-first') {
      const reply = await direct.call(requestEnvelope(parts));
      if (!DirectCaller.unreachable(reply)) return this.calls.settle(reply, 'direct');
    }
    if (fallback?.mode === 'bus-first') {
      const budget = Math.min(parts.deadline, Date.now() + (fallback.busTimeoutMs ?? DEFAULT_BUS_TIMEOUT_MS));
      try {
        return await raceDeadline(this.publisher.publish(parts, budget), budget, 'publishing on the bus');
      } catch {
        return this.calls.settle(await direct.call(requestEnvelope(parts)), 'direct');
      }
    }
    await this.publisher.publish(parts, parts.deadline);
  }
}
