// `@vrpc/nestjs/protocol`: the wire format, for tools and for talking to vRPC without this
// library (the original Go vRPC writes the same envelope). Apps do not need it.
export {
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type MetadataEntry,
  type RequestEnvelope,
  type ResponseEnvelope,
} from './protocol/envelope.js';
export { ENVELOPE_PROTO } from './protocol/envelope.proto.js';
export { EnvelopeSigner, type SignatureFailure, type SignatureVerdict } from './protocol/envelope-signature.js';
export type { VrpcKeyRing, VrpcKeys, VrpcSecurityOptions } from './protocol/security-options.interface.js';
export {
  DEFAULT_DEAD_LETTER_TOPIC,
  DEFAULT_REPLY_PARTITIONS,
  DEFAULT_REPLY_TOPIC,
  DEFAULT_REQUEST_PARTITIONS,
  DEFAULT_REQUEST_TOPIC_PREFIX,
  VRPC_HEADERS,
} from './protocol/vrpc.constants.js';
