/** Shared secrets by key id: the HMAC-SHA256 keys that may sign envelopes. */
export type VrpcKeys = Record<string, string | Buffer>;

/** The keys of one service (or of all): which are accepted, and which one signs. */
export interface VrpcKeyRing {
  /**
   * Key id → secret (a string is taken as its UTF-8 bytes; at least 16 bytes, 32 random ones
   * recommended). Every key listed is accepted; a key removed from the list is refused.
   */
  keys: VrpcKeys;
  /** The id of the key in `keys` that signs what this process sends. */
  signWith: string;
}

/**
 * Authenticated envelopes (`security` in the module, client, server and gateway options):
 * every request and reply carries an HMAC-SHA256 over all its fields and the id of the key that
 * made it. A server answers a request that is unsigned, signed with a key it does not list, or
 * altered with UNAUTHENTICATED, without running it; a client ignores such replies and keeps
 * waiting for the genuine one. Rotation: list the new key beside the old one everywhere, then
 * sign with it everywhere, then remove the old one.
 */
export interface VrpcSecurityOptions extends VrpcKeyRing {
  /**
   * Whether unsigned envelopes are refused (default true). `false` accepts them (signed ones are
   * still checked), for the rollout: first every sender signs, then every receiver requires.
   */
  require?: boolean;
  /** Keys of particular services (`package.Service`), instead of the ones above, for their requests and replies. */
  services?: Record<string, VrpcKeyRing>;
}
