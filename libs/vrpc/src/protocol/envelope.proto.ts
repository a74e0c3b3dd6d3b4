/**
 * The vRPC envelope. Fields 1–8 keep the numbers of the original vRPC's `VRPCRequest` and
 * `VRPCResponse`, so the two can read each other; fields of this project start at 16.
 * `metadata_entries` carries metadata exactly (repeated and binary values) when the
 * `metadata` map cannot; the map is still written, for peers that know only it. `signature` and
 * `key_id` authenticate the envelope (HMAC-SHA256, see `envelope-signature.ts`) when signing is on.
 * `stream` (request 25, reply 19) is on every envelope of a streaming call and on none of a
 * unary one: a unary call's bytes are what they were (docs/streaming.md has the protocol).
 */
export const ENVELOPE_PROTO = `
syntax = "proto3";
package vrpc;

message VRPCRequest {
  string request_id = 1;
  string service_name = 2;
  string method_name = 3;
  bytes payload = 4;
  map<string, string> metadata = 5;
  int64 timestamp = 6;
  int64 timeout_ms = 7;
  string client_id = 8;
  string reply_to = 16;
  optional int32 reply_partition = 17;
  int64 deadline = 18;
  string task_key = 19;
  int32 attempt = 20;
  bool one_way = 21;
  repeated MetadataEntry metadata_entries = 22;
  bytes signature = 23;
  string key_id = 24;
  StreamFrame stream = 25;
}

message VRPCResponse {
  string request_id = 1;
  bytes payload = 2;
  int32 status_code = 3;
  string error_message = 4;
  map<string, string> metadata = 5;
  int64 timestamp = 6;
  repeated MetadataEntry metadata_entries = 16;
  bytes signature = 17;
  string key_id = 18;
  StreamFrame stream = 19;
}

enum CallType {
  UNARY = 0;
  SERVER_STREAMING = 1;
  CLIENT_STREAMING = 2;
  BIDI_STREAMING = 3;
}

message StreamFrame {
  CallType call_type = 1;
  int64 sequence = 2;
  bool has_message = 3;
  bool end = 4;
  bool cancel = 5;
  int64 window = 6;
  string inbox_topic = 7;
  optional int32 inbox_partition = 8;
  bool open = 9;
}

message MetadataEntry {
  string key = 1;
  repeated string values = 2;
  repeated bytes binary_values = 3;
}
`;
