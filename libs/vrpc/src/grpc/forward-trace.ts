import type { Metadata } from '@grpc/grpc-js';
import type { RequestEnvelope } from '../protocol/envelope.js';
import { type CallObservation, NO_OBSERVATION } from '../telemetry/call-observation.js';
import { TRACE_KEYS } from '../telemetry/trace-carrier.js';
import type { VrpcTelemetry } from '../telemetry/vrpc-telemetry.js';
import type { GrpcTargetPool } from './grpc-target-pool.js';

/** `server.address` of the forward's CLIENT span: the target, as the RPC conventions name it. */
const SERVER_ADDRESS = 'server.address';

/**
 * The CLIENT span of a forward to the target gRPC server, a child of the active (SERVER) span;
 * `callType` for streams. Without telemetry, nothing.
 */
export function forwardObservation(
  telemetry: VrpcTelemetry | undefined,
  pool: GrpcTargetPool,
  envelope: RequestEnvelope,
  callType?: string,
): CallObservation {
  if (!telemetry) return NO_OBSERVATION;
  const observation = telemetry.clientCall({
    service: envelope.serviceName,
    method: envelope.methodName,
    id: envelope.requestId,
    callType,
  });
  const address = pool.addressOf(envelope.serviceName);
  if (address !== undefined) observation.annotate({ [SERVER_ADDRESS]: address });
  return observation;
}

/**
 * The metadata to the target carries the forward's span as its parent: the caller's trace
 * entries (which came in the envelope) are replaced by the forward's carrier. Without one (no
 * SDK, no propagator) the caller's go through as they came. Changed in place.
 */
export function withForwardTrace(metadata: Metadata, observation: CallObservation): Metadata {
  const carrier = observation.carrier;
  if (!carrier) return metadata;
  for (const key of TRACE_KEYS) if (key !== 'baggage' || carrier.baggage !== undefined) metadata.remove(key);
  for (const [key, value] of Object.entries(carrier)) metadata.set(key, value);
  return metadata;
}
