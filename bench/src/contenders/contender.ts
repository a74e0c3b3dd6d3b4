import type { RunConfig } from '../config/run-config.js';
import type { EchoReply, EchoRequest } from '../shared/echo.js';

/** A contender's server, running in its own process. */
export interface BenchServer {
  close(): Promise<void>;
}

/** A contender's client, running in its own process. */
export interface BenchClient {
  /** One unary Echo call; resolves with the reply. */
  call(request: EchoRequest): Promise<EchoReply>;
  close(): Promise<void>;
}

/** One way of making the Echo call, with its server and client halves. */
export interface Contender {
  startServer(config: RunConfig): Promise<BenchServer>;
  startClient(config: RunConfig): Promise<BenchClient>;
}
