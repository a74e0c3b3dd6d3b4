// Minimal raw Kafka wire protocol client: ApiVersions v0, Metadata v1..v8, FindCoordinator v0..v2 (non-flexible).
import { connect } from 'node:net';
import { connect as connectTls } from 'node:tls';

const API_METADATA = 3;
const API_FIND_COORDINATOR = 10;
const API_VERSIONS = 18;
const CLIENT_ID = 'vrpc-kafka-probe';

/**
 * @typedef {{ nodeId: number, host: string, port: number }} BrokerInfo
 * @typedef {{ topic: string, partition: number, leader: number, replicas: number[], isr: number[] }} PartitionInfo
 * @typedef {{ apiVersions: Map<number, [number, number]>, brokers: BrokerInfo[], clusterId: string | null, controllerId: number, partitions: PartitionInfo[] }} ProbeResult
 */

/** @param {number} apiKey @param {number} version @param {number} correlationId @param {Buffer} body */
function frame(apiKey, version, correlationId, body) {
  const clientId = Buffer.from(CLIENT_ID, 'utf8');
  const header = Buffer.alloc(10);
  header.writeInt16BE(apiKey, 0);
  header.writeInt16BE(version, 2);
  header.writeInt32BE(correlationId, 4);
  header.writeInt16BE(clientId.length, 8);
  const payload = Buffer.concat([header, clientId, body]);
  const size = Buffer.alloc(4);
  size.writeInt32BE(payload.length, 0);
  return Buffer.concat([size, payload]);
}

/** Sequential reader over a response buffer. */
class Reader {
  /** @param {Buffer} buf */
  constructor(buf) {
    this.buf = buf;
    this.off = 0;
  }
  int16() {
    return this.buf.readInt16BE((this.off += 2) - 2);
  }
  int32() {
    return this.buf.readInt32BE((this.off += 4) - 4);
  }
  /** @returns {string | null} */
  string() {
    const len = this.int16();
    if (len < 0) return null;
    const s = this.buf.toString('utf8', this.off, this.off + len);
    this.off += len;
    return s;
  }
}

/**
 * One connection, a list of requests sent in order, responses read by size prefix.
 * @param {string} host @param {number} port @param {Buffer[]} requests @param {number} timeoutMs
 * @param {{ ca: string }} [tls] speak TLS, trusting this CA
 * @returns {Promise<Buffer[]>} response payloads (after the size prefix, including correlation id)
 */
function exchange(host, port, requests, timeoutMs, tls) {
  return new Promise((resolvePromise, reject) => {
    const socket = tls ? connectTls({ host, port, ca: tls.ca }) : connect({ host, port });
    /** @type {Buffer[]} */
    const responses = [];
    let pending = Buffer.alloc(0);
    let next = 0;
    const fail = (/** @type {Error} */ err) => {
      socket.destroy();
      reject(err);
    };
    socket.setTimeout(timeoutMs, () => fail(new Error(`timeout talking to ${host}:${port}`)));
    socket.on('error', fail);
    socket.on('close', () => {
      if (responses.length < requests.length) fail(new Error(`connection to ${host}:${port} closed early`));
    });
    socket.on(tls ? 'secureConnect' : 'connect', () => socket.write(requests[next++]));
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
        const size = pending.readInt32BE(0);
        responses.push(pending.subarray(4, 4 + size));
        pending = pending.subarray(4 + size);
        if (responses.length === requests.length) {
          socket.end();
          socket.destroy();
          resolvePromise(responses);
          return;
        }
        socket.write(requests[next++]);
      }
    });
  });
}

/** @param {Buffer} payload */
function parseApiVersions(payload) {
  const r = new Reader(payload);
  r.int32(); // correlation id
  const error = r.int16();
  if (error !== 0) throw new Error(`ApiVersions error code ${error}`);
  /** @type {Map<number, [number, number]>} */
  const map = new Map();
  const count = r.int32();
  for (let i = 0; i < count; i++) {
    const key = r.int16();
    map.set(key, [r.int16(), r.int16()]);
  }
  return map;
}

/** @param {number} version @param {boolean} allTopics */
function metadataRequestBody(version, allTopics) {
  // topics: null (-1) = all topics, empty array = brokers only
  const parts = [allTopics ? Buffer.from([0xff, 0xff, 0xff, 0xff]) : Buffer.from([0, 0, 0, 0])];
  if (version >= 4) parts.push(Buffer.from([0])); // allow_auto_topic_creation=false
  if (version >= 8) parts.push(Buffer.from([0, 0])); // include cluster/topic authorized operations
  return Buffer.concat(parts);
}

/** @param {Buffer} payload @param {number} version */
function parseMetadata(payload, version) {
  const r = new Reader(payload);
  r.int32(); // correlation id
  if (version >= 3) r.int32(); // throttle_time_ms
  /** @type {BrokerInfo[]} */
  const brokers = [];
  const count = r.int32();
  for (let i = 0; i < count; i++) {
    const nodeId = r.int32();
    const host = /** @type {string} */ (r.string());
    const port = r.int32();
    r.string(); // rack (v1+)
    brokers.push({ nodeId, host, port });
  }
  const clusterId = version >= 2 ? r.string() : null;
  const controllerId = r.int32();
  /** @type {PartitionInfo[]} */
  const partitions = [];
  const int32s = () => Array.from({ length: Math.max(0, r.int32()) }, () => r.int32());
  const topicCount = r.int32();
  for (let t = 0; t < topicCount; t++) {
    r.int16(); // topic error code
    const topic = /** @type {string} */ (r.string());
    r.off += 1; // is_internal
    const count = r.int32();
    for (let i = 0; i < count; i++) {
      r.int16(); // partition error code
      const partition = r.int32();
      const leader = r.int32();
      if (version >= 7) r.int32(); // leader_epoch
      const replicas = int32s();
      const isr = int32s();
      if (version >= 5) int32s(); // offline replicas
      partitions.push({ topic, partition, leader, replicas, isr });
    }
    if (version >= 8) r.int32(); // topic authorized operations
  }
  return { brokers: brokers.sort((a, b) => a.nodeId - b.nodeId), clusterId, controllerId, partitions };
}

/** Splits "host:port". @param {string} address */
function hostPort(address) {
  const idx = address.lastIndexOf(':');
  return { host: address.slice(0, idx), port: Number(address.slice(idx + 1)) };
}

/** @param {string} address @param {number} timeoutMs @param {{ ca: string }} [tls] */
async function apiVersionsOf(address, timeoutMs, tls) {
  const { host, port } = hostPort(address);
  const [payload] = await exchange(host, port, [frame(API_VERSIONS, 0, 1, Buffer.alloc(0))], timeoutMs, tls);
  return parseApiVersions(payload);
}

/**
 * ApiVersions over TLS: the one request a SASL listener answers before authentication, so the
 * readiness probe of the secure profile (its listener opens once the broker has caught up).
 * @param {string} address @param {{ ca: string, timeoutMs?: number }} opts
 * @returns {Promise<Map<number, [number, number]>>}
 */
export function probeTlsBroker(address, { ca, timeoutMs = 2000 }) {
  return apiVersionsOf(address, timeoutMs, { ca });
}

/**
 * Highest version of `apiKey` in both our [lo, hi] and the broker's range.
 * @param {Map<number, [number, number]>} versions @param {number} apiKey @param {number} lo @param {number} hi
 */
function pickVersion(versions, apiKey, lo, hi) {
  const range = versions.get(apiKey);
  const v = range ? Math.min(hi, range[1]) : -1;
  if (!range || v < Math.max(lo, range[0])) throw new Error(`broker supports no usable version of api ${apiKey}`);
  return v;
}

/**
 * FindCoordinator for a consumer group; the first call makes the broker create __consumer_offsets.
 * @param {string} address @param {string} groupId @param {{ timeoutMs?: number }} [opts]
 * @returns {Promise<number>} Kafka error code (0 = coordinator available)
 */
export async function findGroupCoordinator(address, groupId, { timeoutMs = 2000 } = {}) {
  const version = pickVersion(await apiVersionsOf(address, timeoutMs), API_FIND_COORDINATOR, 0, 2);
  const key = Buffer.from(groupId, 'utf8');
  const len = Buffer.alloc(2);
  len.writeInt16BE(key.length, 0);
  const body = Buffer.concat([len, key, ...(version >= 1 ? [Buffer.from([0])] : [])]); // key_type 0 = group
  const { host, port } = hostPort(address);
  const [payload] = await exchange(host, port, [frame(API_FIND_COORDINATOR, version, 3, body)], timeoutMs);
  const r = new Reader(payload);
  r.int32(); // correlation id
  if (version >= 1) r.int32(); // throttle_time_ms
  return r.int16();
}

/**
 * Asks a broker for its API versions and the brokers it knows; with allTopics also every partition's
 * leader, replicas and ISR (otherwise `partitions` is empty).
 * @param {string} address "host:port"
 * @param {{ timeoutMs?: number, allTopics?: boolean }} [opts]
 * @returns {Promise<ProbeResult>}
 */
export async function probeBroker(address, { timeoutMs = 2000, allTopics = false } = {}) {
  const apiVersions = await apiVersionsOf(address, timeoutMs);
  const version = pickVersion(apiVersions, API_METADATA, 1, 8);
  const { host, port } = hostPort(address);
  const [metaPayload] = await exchange(host, port, [frame(API_METADATA, version, 2, metadataRequestBody(version, allTopics))], timeoutMs);
  return { apiVersions, ...parseMetadata(metaPayload, version) };
}
