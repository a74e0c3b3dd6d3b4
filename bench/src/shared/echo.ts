/** The request of `bench.BenchService/Echo`. */
export interface EchoRequest {
  text: string;
  seq: number;
}

/** The reply of `bench.BenchService/Echo`. */
export interface EchoReply {
  text: string;
  seq: number;
}

/** 64 bytes of text: a small, typical RPC payload. */
const TEXT = 'vrpc-bench-'.padEnd(64, 'x');

/** The request a client sends as call number `seq`. */
export function echoRequest(seq: number): EchoRequest {
  return { text: TEXT, seq };
}

/**
 * The handler every contender's server runs, so that the same work sits behind each
 * transport: echo the request back.
 */
export function echo(request: EchoRequest): EchoReply {
  return { text: request.text, seq: request.seq };
}

/** Throws unless `reply` answers `request`: a transport that mixes up replies must not score. */
export function checkReply(request: EchoRequest, reply: EchoReply | undefined): void {
  if (reply?.seq !== request.seq || reply.text !== request.text) {
    throw new Error(`wrong reply for call ${request.seq}: ${JSON.stringify(reply)}`);
  }
}
