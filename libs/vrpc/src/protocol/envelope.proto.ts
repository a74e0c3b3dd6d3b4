/**
 * The vRPC envelope. Fields 1–8 keep the numbers of the original vRPC's `VRPCRequest` and
 * `VRPCResponse`, so the two can read each other; fields of this project start at 16.
 * `metadata_entries` carries metadata exactly (repeated and binary values) when the
 * `metadata` map cannot; the map is still written, for peers that know only it. `signature` and
 * `key_id` authenticate the envelope (HMAC-SHA256, see `envelope-signature.ts`) when signing is on.
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
}

message MetadataEntry {
  string key = 1;
  repeated string values = 2;
  repeated bytes binary_values = 3;
}
`;
