/**
 * The ONNX protobuf messages a model reader needs (onnx/onnx.proto, proto2, reduced to
 * the fields read here with their upstream field numbers; unknown fields are skipped
 * by the decoder), decoded with protobufjs. `data_type` and attribute `type` stay
 * plain int32 so that an unknown number reaches our own check.
 */
import * as protobuf from 'protobufjs';

const PROTO = `
syntax = "proto2";
package onnx;

message StringStringEntryProto { optional string key = 1; optional string value = 2; }
message OperatorSetIdProto { optional string domain = 1; optional int64 version = 2; }
message TensorProto {
  repeated int64 dims = 1;
  optional int32 data_type = 2;
  repeated float float_data = 4 [packed = true];
  repeated int32 int32_data = 5 [packed = true];
  repeated bytes string_data = 6;
  repeated int64 int64_data = 7 [packed = true];
  optional string name = 8;
  optional bytes raw_data = 9;
  repeated double double_data = 10 [packed = true];
  repeated uint64 uint64_data = 11 [packed = true];
  repeated StringStringEntryProto external_data = 13;
  optional int32 data_location = 14;
}
message AttributeProto {
  optional string name = 1;
  optional float f = 2;
  optional int64 i = 3;
  optional bytes s = 4;
  optional TensorProto t = 5;
  repeated float floats = 7;
  repeated int64 ints = 8;
  repeated bytes strings = 9;
  optional int32 type = 20;
  optional string ref_attr_name = 21;
}
message NodeProto {
  repeated string input = 1;
  repeated string output = 2;
  optional string name = 3;
  optional string op_type = 4;
  repeated AttributeProto attribute = 5;
  optional string domain = 7;
}
message TensorShapeProto {
  message Dimension { optional int64 dim_value = 1; optional string dim_param = 2; }
  repeated Dimension dim = 1;
}
message TypeProto {
  message Tensor { optional int32 elem_type = 1; optional TensorShapeProto shape = 2; }
  optional Tensor tensor_type = 1;
}
message ValueInfoProto { optional string name = 1; optional TypeProto type = 2; }
message GraphProto {
  repeated NodeProto node = 1;
  optional string name = 2;
  repeated TensorProto initializer = 5;
  repeated ValueInfoProto input = 11;
  repeated ValueInfoProto output = 12;
}
message ModelProto {
  optional int64 ir_version = 1;
  optional string producer_name = 2;
  optional string producer_version = 3;
  optional string domain = 4;
  optional int64 model_version = 5;
  optional GraphProto graph = 7;
  repeated OperatorSetIdProto opset_import = 8;
  repeated StringStringEntryProto metadata_props = 14;
}
`;

let root: protobuf.Root | null = null;

function type(name: string): protobuf.Type {
  if (root == null) root = protobuf.parse(PROTO, {keepCase: true}).root;
  return root.lookupType(`onnx.${name}`);
}

/**
 * A decoded TensorProto (int64 fields as JS numbers; bytes as Uint8Array).
 * @category Readers
 */
export interface TensorProto {
  dims: number[]; data_type: number; float_data: number[]; int32_data: number[]; string_data: Uint8Array[];
  int64_data: number[]; name: string; raw_data: Uint8Array; double_data: number[]; uint64_data: number[];
  external_data: {key: string; value: string}[]; data_location: number;
}
/** A decoded AttributeProto. */
export interface AttributeProto {
  name: string; f: number; i: number; s: Uint8Array; t: TensorProto | null; floats: number[]; ints: number[];
  strings: Uint8Array[]; type: number; ref_attr_name: string;
}
/** A decoded NodeProto. */
export interface NodeProto {
  input: string[]; output: string[]; name: string; op_type: string; attribute: AttributeProto[]; domain: string;
}
/** A decoded ValueInfoProto: a name and, for tensors, the element type and shape (dims by value or by name). */
export interface ValueInfoProto {
  name: string;
  type: {tensor_type: {elem_type: number; shape: {dim: {dim_value: number; dim_param: string}[]} | null} | null} | null;
}
/** A decoded GraphProto. */
export interface GraphProto {
  node: NodeProto[]; name: string; initializer: TensorProto[]; input: ValueInfoProto[]; output: ValueInfoProto[];
}
/** A decoded ModelProto. */
export interface ModelProto {
  ir_version: number; producer_name: string; producer_version: string; domain: string; model_version: number;
  graph: GraphProto | null; opset_import: {domain: string; version: number}[]; metadata_props: {key: string; value: string}[];
}

const TO_OBJECT: protobuf.IConversionOptions = {longs: Number, defaults: true, arrays: true};

/** Decodes `bytes` as ModelProto; throws the decoder's own error on malformed input. */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const t = type('ModelProto');
  const m = t.toObject(t.decode(bytes), TO_OBJECT) as unknown as ModelProto;
  return m;
}

/** Encodes a plain object as message `name` (builds test inputs). */
export function encode(name: string, value: Record<string, unknown>): Uint8Array {
  const t = type(name);
  return t.encode(t.fromObject(value)).finish();
}
