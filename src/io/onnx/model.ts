/**
 * An ONNX model opened from bytes (browser-safe): the ModelProto decoded, its graph's
 * nodes with their attributes, and its constant tensors (initializers, and the values
 * of Constant nodes under their output names) read on demand as a {@link TensorSource}.
 */
import * as tf from '@tensorflow/tfjs';

import {SourceVariable, TensorSource} from '../tensorSource';
import {check, OnnxError} from './errors';
import {AttributeProto, decodeModel, ModelProto, NodeProto, TensorProto, ValueInfoProto} from './protos';
import {decodeTensor, dtypeName, elementCount, OnnxValues} from './tensors';

/**
 * An attribute's value: number, string, tensor, or a list of numbers / strings (graphs are not read).
 * @category Readers
 */
export type OnnxAttribute = number | string | TensorProto | number[] | string[] | null;

/**
 * One node of the graph: op, domain, inputs and outputs (names; '' for an omitted optional input), attributes.
 * @category Readers
 */
export interface OnnxNode {
  index: number;
  name: string;
  opType: string;
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, OnnxAttribute>;
}

/**
 * A graph input's or output's declared type: element type name and shape (a dim is a number, a name, or null if unknown).
 * @category Readers
 */
export interface OnnxValueInfo {
  name: string;
  /** e.g. 'float32', 'int64'; null when the file declares none. */
  dtype: string | null;
  /** null when the file declares no shape (unknown rank). */
  shape: Array<number | string | null> | null;
}

/**
 * Options of {@link OnnxModel.read}.
 * @category Readers
 */
export interface OnnxReadOptions {
  /** tfjs has no float64: 'round' reads DOUBLE as float32 (rounded to nearest); default: refuse. */
  float64?: 'refuse' | 'round';
}

/**
 * An open ONNX model (see the module comment).
 * @category Readers
 */
export interface OnnxModel extends TensorSource {
  readonly irVersion: number;
  readonly producer: string;
  /** domain ('' = ai.onnx) → opset version. */
  readonly opsets: Record<string, number>;
  readonly graphName: string;
  /** The graph's nodes in file (topological) order. */
  readonly nodes: OnnxNode[];
  /** Names of the graph's inputs that are not initializers, and of its outputs. */
  readonly inputs: string[];
  readonly outputs: string[];
  /** The declared types of {@link inputs} and {@link outputs}, in their order. */
  readonly inputInfo: OnnxValueInfo[];
  readonly outputInfo: OnnxValueInfo[];
  /** Every constant tensor: initializers, then Constant nodes' outputs (dtype the ONNX name, e.g. 'float32'). */
  readonly variables: SourceVariable[];
  /** Whether `name` is a constant tensor of the graph. */
  has(name: string): boolean;
  /** The node producing `value`, or null (graph input, initializer). */
  producer_of(value: string): OnnxNode | null;
  /** The nodes reading `value`. */
  consumers(value: string): OnnxNode[];
  /** A constant's exact values. */
  readValues(name: string): OnnxValues;
  /** A constant as a tf.Tensor: floats float32 (float16/bfloat16 exactly), integers int32 when they fit, bool. */
  read(name: string, options?: OnnxReadOptions): tf.Tensor;
}

const utf8 = new TextDecoder('utf-8');

function attributeValue(a: AttributeProto): OnnxAttribute {
  // AttributeType: FLOAT 1, INT 2, STRING 3, TENSOR 4, GRAPH 5, FLOATS 6, INTS 7, STRINGS 8
  switch (a.type) {
    case 1: return a.f;
    case 2: return a.i;
    case 3: return utf8.decode(a.s);
    case 4: return a.t;
    case 6: return a.floats.slice();
    case 7: return a.ints.slice();
    case 8: return a.strings.map((s) => utf8.decode(s));
    default: return null;
  }
}

function valueInfo(v: ValueInfoProto): OnnxValueInfo {
  const t = v.type?.tensor_type ?? null;
  const dims = t?.shape?.dim ?? null;
  return {
    name: v.name,
    dtype: t == null || !t.elem_type ? null : dtypeName(t.elem_type),
    shape: t?.shape == null || dims == null ? null : dims.map((d) => (d.dim_param ? d.dim_param : d.dim_value > 0 ? d.dim_value : null)),
  };
}

class BytesOnnxModel implements OnnxModel {
  readonly irVersion: number;
  readonly producer: string;
  readonly opsets: Record<string, number>;
  readonly graphName: string;
  readonly nodes: OnnxNode[];
  readonly inputs: string[];
  readonly outputs: string[];
  readonly inputInfo: OnnxValueInfo[];
  readonly outputInfo: OnnxValueInfo[];
  readonly variables: SourceVariable[];
  private readonly constants = new Map<string, TensorProto>();
  private readonly producers = new Map<string, OnnxNode>();
  private readonly readers = new Map<string, OnnxNode[]>();
  private closed = false;

  constructor(m: ModelProto, readonly file: string) {
    check(m.graph != null, 'BAD_MODEL', file, () => 'the ModelProto has no graph (field 7)');
    const g = m.graph;
    this.irVersion = m.ir_version;
    this.producer = `${m.producer_name}${m.producer_version ? ` ${m.producer_version}` : ''}`;
    this.opsets = Object.fromEntries(m.opset_import.map((o) => [o.domain === 'ai.onnx' ? '' : o.domain, o.version]));
    this.graphName = g.name;
    this.variables = [];
    for (const t of g.initializer) this.addConstant(t.name, t, 'initializer');
    this.nodes = g.node.map((n, index) => {
      const attributes: Record<string, OnnxAttribute> = {};
      for (const a of n.attribute) attributes[a.name] = attributeValue(a);
      return {index, name: n.name, opType: n.op_type, domain: n.domain === 'ai.onnx' ? '' : n.domain,
        inputs: n.input.slice(), outputs: n.output.slice(), attributes};
    });
    for (const n of this.nodes) {
      for (const o of n.outputs) if (o !== '') this.producers.set(o, n);
      for (const i of n.inputs) {
        if (i === '') continue;
        if (!this.readers.has(i)) this.readers.set(i, []);
        this.readers.get(i)!.push(n);
      }
      const value = n.attributes.value;
      if (n.opType === 'Constant' && n.domain === '' && n.outputs.length === 1 && value != null && typeof value === 'object' &&
          !Array.isArray(value)) {
        this.addConstant(n.outputs[0], value as TensorProto, `Constant node ${JSON.stringify(n.name)}`);
      }
    }
    const inits = new Set(g.initializer.map((t) => t.name));
    this.inputs = g.input.map((v) => v.name).filter((n) => !inits.has(n));
    this.outputs = g.output.map((v) => v.name);
    this.inputInfo = g.input.filter((v) => !inits.has(v.name)).map(valueInfo);
    this.outputInfo = g.output.map(valueInfo);
  }

  private addConstant(name: string, t: TensorProto, what: string): void {
    check(name !== '', 'BAD_MODEL', this.file, () => `${what}: a tensor without a name`);
    check(!this.constants.has(name), 'BAD_MODEL', this.file, () => `${what}: tensor name ${JSON.stringify(name)} is defined twice`);
    elementCount(t, this.file, `tensor '${name}'`);
    this.constants.set(name, t);
    this.variables.push({name, dtype: dtypeName(t.data_type), shape: t.dims.slice()});
  }

  has(name: string): boolean {
    return this.constants.has(name);
  }

  producer_of(value: string): OnnxNode | null {
    return this.producers.get(value) ?? null;
  }

  consumers(value: string): OnnxNode[] {
    return this.readers.get(value) ?? [];
  }

  readValues(name: string): OnnxValues {
    const t = this.constants.get(name);
    if (t == null) {
      throw new OnnxError('NO_SUCH_TENSOR', this.file, `no constant tensor '${name}' (not an initializer nor a Constant node's output); ` +
          `the model has ${this.constants.size}: ${[...this.constants.keys()].slice(0, 8).join(', ')}${this.constants.size > 8 ? ', ...' : ''}`);
    }
    check(!this.closed, 'CLOSED', this.file, () => `tensor '${name}': the model was closed`);
    return decodeTensor(t, this.file, `tensor '${name}'`);
  }

  read(name: string, options: OnnxReadOptions = {}): tf.Tensor {
    const t = this.readValues(name);
    switch (t.dtype) {
      case 'float32': case 'float16': case 'bfloat16':
        return tf.tensor(t.values as Float32Array, t.shape, 'float32');
      case 'float64':
        check(options.float64 === 'round', 'UNSUPPORTED_DTYPE', this.file,
            () => `tensor '${name}' is float64 (DOUBLE), which tfjs does not have; read it with {float64: 'round'} ` +
            'to get float32, or readValues() for the exact values');
        return tf.tensor(Float32Array.from(t.values as Float64Array), t.shape, 'float32');
      case 'bool':
        return tf.tensor(Uint8Array.from(t.values as number[]), t.shape, 'bool');
      default: {
        const v = t.values as number[];
        for (let i = 0; i < v.length; i++) {
          check(Number.isInteger(v[i]) && v[i] >= -0x80000000 && v[i] <= 0x7fffffff, 'UNSUPPORTED_DTYPE', this.file,
              () => `tensor '${name}' (${t.dtype}): element ${i} = ${v[i]} does not fit tfjs's int32; use readValues()`);
        }
        return tf.tensor(Int32Array.from(v), t.shape, 'int32');
      }
    }
  }

  close(): void {
    this.closed = true;
  }
}

/**
 * Opens an ONNX model from its bytes (browser-safe); `file` names it in errors. Throws {@link OnnxError} on every fault.
 * @category Readers
 */
export function readOnnxModel(bytes: Uint8Array, file = 'model.onnx'): OnnxModel {
  let m: ModelProto;
  try {
    m = decodeModel(bytes);
  } catch (e) {
    throw new OnnxError('BAD_PROTO', file, `not a valid ONNX ModelProto (${(e as Error).message})`);
  }
  return new BytesOnnxModel(m, file);
}
