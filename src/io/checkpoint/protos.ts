/**
 * The protobuf messages a checkpoint holds, decoded with protobufjs from their
 * .proto definitions (TensorFlow's tensor_bundle.proto, tensor_shape.proto,
 * tensor_slice.proto, versions.proto and trackable_object_graph.proto, reduced to
 * the fields a reader needs; unknown fields are skipped by the decoder). `dtype`
 * is kept as a plain int32 so that an unknown number reaches our own check.
 */
import * as protobuf from 'protobufjs';

const PROTO = `
syntax = "proto3";
package tensorflow;

message TensorShapeProto {
  message Dim { int64 size = 1; string name = 2; }
  repeated Dim dim = 2;
  bool unknown_rank = 3;
}
message TensorSliceProto {
  message Extent { int64 start = 1; oneof has_length { int64 length = 2; } }
  repeated Extent extent = 1;
}
message VersionDef { int32 producer = 1; int32 min_consumer = 2; repeated int32 bad_consumers = 3; }
message BundleHeaderProto {
  int32 num_shards = 1;
  int32 endianness = 2;
  VersionDef version = 3;
}
message BundleEntryProto {
  int32 dtype = 1;
  TensorShapeProto shape = 2;
  int32 shard_id = 3;
  int64 offset = 4;
  int64 size = 5;
  fixed32 crc32c = 6;
  repeated TensorSliceProto slices = 7;
}
message TrackableObjectGraph {
  message TrackableObject {
    message ObjectReference { int32 node_id = 1; string local_name = 2; }
    message SerializedTensor { string name = 1; string full_name = 2; string checkpoint_key = 3; }
    message SlotVariableReference {
      int32 original_variable_node_id = 1; string slot_name = 2; int32 slot_variable_node_id = 3;
    }
    repeated ObjectReference children = 1;
    repeated SerializedTensor attributes = 2;
    repeated SlotVariableReference slot_variables = 3;
  }
  repeated TrackableObject nodes = 1;
}
`;

let root: protobuf.Root | null = null;

function type(name: string): protobuf.Type {
  if (root == null) root = protobuf.parse(PROTO, {keepCase: true}).root;
  return root.lookupType(`tensorflow.${name}`);
}

const TO_OBJECT: protobuf.IConversionOptions = {longs: Number, defaults: true, arrays: true, oneofs: true};

/**
 * TensorFlow's VersionDef: the producer version and the consumer versions it accepts.
 * @category Readers
 */
export interface VersionDef { producer: number; min_consumer: number; bad_consumers: number[] }
export interface BundleHeader { num_shards: number; endianness: number; version: VersionDef | null }
export interface ShapeProto { dim: {size: number; name: string}[]; unknown_rank: boolean }
export interface SliceProto { extent: {start: number; length?: number}[] }
export interface BundleEntry {
  dtype: number; shape: ShapeProto | null; shard_id: number; offset: number; size: number; crc32c: number;
  slices: SliceProto[];
}
export interface TrackableObject {
  children: {node_id: number; local_name: string}[];
  attributes: {name: string; full_name: string; checkpoint_key: string}[];
  slot_variables: {original_variable_node_id: number; slot_name: string; slot_variable_node_id: number}[];
}
export interface ObjectGraph { nodes: TrackableObject[] }

/** Decodes `bytes` as message `name`; throws the decoder's own error on malformed input. */
export function decode<T>(name: string, bytes: Uint8Array): T {
  const t = type(name);
  return t.toObject(t.decode(bytes), TO_OBJECT) as unknown as T;
}

/** Encodes a plain object as message `name` (used to build test inputs). */
export function encode(name: string, value: Record<string, unknown>): Uint8Array {
  const t = type(name);
  return t.encode(t.fromObject(value)).finish();
}
