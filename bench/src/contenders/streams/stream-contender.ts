import type { Observable } from 'rxjs';
import type { RunConfig } from '../../config/run-config.js';
import type { Item, StreamRequest } from '../../shared/stream-items.js';
import type { BenchServer } from '../contender.js';

/** A streaming contender's client, running in its own process. */
export interface StreamBenchClient {
  /** One server-streaming call: each item as it arrives. */
  serverStream(request: StreamRequest): Observable<Item>;
  /** One bidirectional call: the echo of each item of `items`; absent where the transport has no client streams. */
  echo?(items: Observable<Item>): Observable<Item>;
  close(): Promise<void>;
}

/** One way of making the streaming calls, with its server and client halves. */
export interface StreamContender {
  startServer(config: RunConfig): Promise<BenchServer>;
  startClient(config: RunConfig): Promise<StreamBenchClient>;
}
