import { type ChannelCredentials, type ChannelOptions, Client, connectivityState, credentials } from '@grpc/grpc-js';
import { Logger } from '@nestjs/common';
import type { GatewayTargetHealth } from './grpc-target-health.interface.js';
import { ConfigMessages } from '../errors/vrpc.messages.js';
import { VrpcConfigError } from '../errors/vrpc-config.error.js';

/**
 * grpc-js retries a lost target with exponential backoff up to 120 s by default; a gateway
 * should notice a restarted target within seconds.
 */
const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 500,
  'grpc.max_reconnect_backoff_ms': 5_000,
};

/** One grpc-js channel per target address, shared by the services served there. */
export class GrpcTargetPool {
  private readonly logger = new Logger('VrpcGateway');
  private readonly channels = new Map<string, Client>();
  private readonly routes = new Map<string, string>();

  constructor(
    targets: Record<string, string>,
    channelCredentials: ChannelCredentials = credentials.createInsecure(),
    channelOptions: ChannelOptions = {},
    /** The option a service's target comes from, named when it is empty. */
    optionOf: (service: string) => string = (service) => `targets["${service}"]`,
  ) {
    for (const [service, address] of Object.entries(targets)) {
      if (!address) throw new VrpcConfigError(optionOf(service), ConfigMessages.emptyTarget(service));
      this.routes.set(service, address);
      if (this.channels.has(address)) continue;
      // Untyped calls with identity (de)serialisers need no stubs: a plain Client is enough.
      const client = new Client(address, channelCredentials, { ...DEFAULT_CHANNEL_OPTIONS, ...channelOptions });
      this.channels.set(address, client);
      this.watch(address, client, connectivityState.IDLE);
    }
  }

  /** The services routed, by `package.Service`. */
  get services(): string[] {
    return [...this.routes.keys()];
  }

  /** The address of a service's target, if one is configured. */
  addressOf(service: string): string | undefined {
    return this.routes.get(service);
  }

  /** The client for a service's target, if one is configured. */
  clientFor(service: string): Client | undefined {
    const address = this.routes.get(service);
    return address === undefined ? undefined : this.channels.get(address);
  }

  /** Starts connecting to every target, so the first request does not pay for it. */
  connect(): void {
    for (const client of this.channels.values()) client.getChannel().getConnectivityState(true);
  }

  health(): GatewayTargetHealth[] {
    return [...this.routes].map(([service, address]) => {
      const state = this.channels.get(address)?.getChannel().getConnectivityState(false) ?? connectivityState.SHUTDOWN;
      return { service, address, state: connectivityState[state] };
    });
  }

  /** Closes every channel; calls still running on them fail with CANCELLED or UNAVAILABLE. */
  close(): void {
    for (const client of this.channels.values()) client.close();
  }

  /** Logs when a target becomes unreachable or connected, once per change, not once per retry. */
  private watch(address: string, client: Client, last: connectivityState, reported?: connectivityState): void {
    const channel = client.getChannel();
    channel.watchConnectivityState(last, Infinity, () => {
      const state = channel.getConnectivityState(false);
      let now = reported;
      if (state === connectivityState.TRANSIENT_FAILURE && reported !== state) {
        this.logger.warn(`target ${address} is unreachable; calls to it answer UNAVAILABLE while it reconnects`);
        now = state;
      } else if (state === connectivityState.READY && reported !== state) {
        this.logger.log(`target ${address} is connected`);
        now = state;
      }
      if (state !== connectivityState.SHUTDOWN) this.watch(address, client, state, now);
    });
  }
}
