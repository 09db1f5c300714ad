/**
 * A one-GRU ONNX model, encoded here with a minimal protobuf writer (no dependency).
 *
 * Graph (opset 17), for a batch-major user whose data is [B, T, D] (onnxruntime's GRU refuses layout=1):
 *   X [B, T, D] -> Transpose(perm 1,0,2) -> GRU (layout 0, forward, hidden_size U, linear_before_reset L)
 *     -> Y [T, 1, B, U] -> Transpose(perm 2,0,1,3) -> Y_bm [B, T, 1, U]   (the same bytes as [B, T, U])
 * W [1, 3U, D], R [1, 3U, U], B [1, 6U] are initializers (ONNX gate order z | r | h, B = [Wb | Rb]).
 *
 * Field numbers from onnx/onnx.proto (proto2; repeated scalars written unpacked, which every parser reads).
 */

class Writer {
  private chunks: number[] = [];

  varint(v: number): this {
    if (v < 0 || !Number.isInteger(v)) throw new Error(`onnxModel: varint needs a non-negative integer, got ${v}`);
    while (v >= 0x80) {
      this.chunks.push((v % 0x80) | 0x80);
      v = Math.floor(v / 0x80);
    }
    this.chunks.push(v);
    return this;
  }
  tag(field: number, wire: number): this {
    return this.varint(field * 8 + wire);
  }
  int(field: number, v: number): this {
    return this.tag(field, 0).varint(v);
  }
  bytes(field: number, b: Uint8Array): this {
    this.tag(field, 2).varint(b.length);
    for (let i = 0; i < b.length; i++) this.chunks.push(b[i]);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytes(field, new TextEncoder().encode(s));
  }
  message(field: number, m: Writer): this {
    return this.bytes(field, m.finish());
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.chunks);
  }
}

const FLOAT = 1;  // TensorProto.DataType.FLOAT
const INT64 = 7;  // TensorProto.DataType.INT64
const ATTR_INT = 2;
const ATTR_INTS = 7;

function tensor(name: string, dims: number[], data: Float32Array): Writer {
  const w = new Writer();
  for (const d of dims) w.int(1, d);                       // dims
  w.int(2, FLOAT);                                         // data_type
  w.string(8, name);                                       // name
  w.bytes(9, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));  // raw_data (little-endian)
  return w;
}

function int64Tensor(name: string, values: number[]): Writer {
  const bytes = new Uint8Array(8 * values.length);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => view.setBigInt64(8 * i, BigInt(v), true));
  return new Writer().int(1, values.length).int(2, INT64).string(8, name).bytes(9, bytes);
}

function valueInfo(name: string, dims: number[]): Writer {
  const shape = new Writer();
  for (const d of dims) shape.message(1, new Writer().int(1, d));  // dim { dim_value }
  const tensorType = new Writer().int(1, FLOAT).message(2, shape);  // elem_type, shape
  const type = new Writer().message(1, tensorType);                  // tensor_type
  return new Writer().string(1, name).message(2, type);
}

function attrInt(name: string, v: number): Writer {
  return new Writer().string(1, name).int(3, v).int(20, ATTR_INT);
}

function attrInts(name: string, vs: number[]): Writer {
  const w = new Writer().string(1, name);
  for (const v of vs) w.int(8, v);
  return w.int(20, ATTR_INTS);
}

function node(op: string, name: string, inputs: string[], outputs: string[], attrs: Writer[]): Writer {
  const w = new Writer();
  for (const i of inputs) w.string(1, i);
  for (const o of outputs) w.string(2, o);
  w.string(3, name).string(4, op);
  for (const a of attrs) w.message(5, a);
  return w;
}

export interface OnnxGruWeights {
  /** Keras layout z | r | h: kernel [D, 3U], recurrent kernel [U, 3U]. */
  kernel: Float32Array;
  recurrentKernel: Float32Array;
  /** Input-side bias [3U] (z | r | h) and recurrent-side bias [3U] (zeros for reset-before). */
  inputBias: Float32Array;
  recurrentBias: Float32Array;
}

/** [rows, cols] -> [cols, rows] */
function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

/**
 * The model bytes. Keras's z | r | h columns are ONNX's z | r | h rows, so W = kernel^T, R = recurrent^T and
 * B = [input bias | recurrent bias]; linear_before_reset 0 is Keras reset_after=False (the recurrent bias may
 * then be folded in: ONNX adds Rbh outside the reset product), 1 is reset_after=True.
 */
export function gruModel(B: number, T: number, D: number, U: number, w: OnnxGruWeights, linearBeforeReset: 0|1): Uint8Array {
  const bias = new Float32Array(6 * U);
  bias.set(w.inputBias, 0);
  bias.set(w.recurrentBias, 3 * U);
  const graph = new Writer();
  graph.message(1, node('Transpose', 'to_time_major', ['X'], ['X_tm'], [attrInts('perm', [1, 0, 2])]));
  graph.message(1, node('GRU', 'gru', ['X_tm', 'W', 'R', 'B'], ['Y_tm'],
                        [attrInt('hidden_size', U), attrInt('linear_before_reset', linearBeforeReset)]));
  graph.message(1, node('Transpose', 'to_batch_major', ['Y_tm'], ['Y'], [attrInts('perm', [2, 0, 1, 3])]));
  graph.string(2, 'gru_bench');
  graph.message(5, tensor('W', [1, 3 * U, D], transpose(w.kernel, D, 3 * U)));
  graph.message(5, tensor('R', [1, 3 * U, U], transpose(w.recurrentKernel, U, 3 * U)));
  graph.message(5, tensor('B', [1, 6 * U], bias));
  graph.message(11, valueInfo('X', [B, T, D]));
  graph.message(12, valueInfo('Y', [B, T, 1, U]));
  return modelOf(graph);
}

/**
 * `copies` independent ONNX Gemm nodes on the same operands, Y = op(A)·op(B) (alpha 1, no C), for timing
 * one matrix product inside onnxruntime: A [M, K] (or [K, M] with transA) is an input; B [K, N] (or [N, K]
 * with transB) an initializer when `constB` is given (a weight: onnxruntime may prepack it once), else an
 * input. Each product's output goes through a Slice to its first element (outputs Y0..), so that the
 * run does not copy M·N floats out per product; the difference between two copy counts is then the time
 * of the products alone.
 */
export function gemmModel(m: number, n: number, k: number, transA: boolean, transB: boolean, constB: Float32Array|null,
                          copies: number): Uint8Array {
  const graph = new Writer();
  const aDims = transA ? [k, m] : [m, k], bDims = transB ? [n, k] : [k, n];
  for (let i = 0; i < copies; i++) {
    graph.message(1, node('Gemm', `gemm${i}`, ['A', 'B'], [`G${i}`],
                          [attrInt('transA', transA ? 1 : 0), attrInt('transB', transB ? 1 : 0)]));
    graph.message(1, node('Slice', `first${i}`, [`G${i}`, 'starts', 'ends'], [`Y${i}`], []));
  }
  graph.string(2, 'gemm_bench');
  graph.message(5, int64Tensor('starts', [0, 0]));
  graph.message(5, int64Tensor('ends', [1, 1]));
  if (constB) {
    if (constB.length !== bDims[0] * bDims[1]) throw new Error(`gemmModel: B needs ${bDims[0] * bDims[1]} floats, got ${constB.length}`);
    graph.message(5, tensor('B', bDims, constB));
  }
  graph.message(11, valueInfo('A', aDims));
  if (!constB) graph.message(11, valueInfo('B', bDims));
  for (let i = 0; i < copies; i++) graph.message(12, valueInfo(`Y${i}`, [1, 1]));
  return modelOf(graph);
}

/** One GRU layer of {@link streamModel}: Keras layout z | r | h (reset before: the recurrent bias is zeros). */
export interface StreamGruWeights extends OnnxGruWeights {
  inputSize: number;
}

/**
 * The streaming peer's model, one frame per run, the state carried by the caller (onnxruntime keeps none):
 *   X [1, 1, D], H1..Hn [1, 1, U] -> GRU_k(X_k, W_k, R_k, B_k, '', H_k) -> (Y_k, Yh_k); X_{k+1} = Yh_k ([T=1, B=1, U])
 *   -> MatMul(Yh_n, Wd [U, O]) + bd -> Sigmoid -> OUT [1, 1, O]; outputs OUT and Yh1..Yhn (the next frame's H1..Hn).
 */
export function streamModel(U: number, grus: StreamGruWeights[], dense: {kernel: Float32Array, bias: Float32Array, units: number},
                            linearBeforeReset: 0|1): Uint8Array {
  const graph = new Writer();
  grus.forEach((g, k) => {
    const bias = new Float32Array(6 * U);
    bias.set(g.inputBias, 0);
    bias.set(g.recurrentBias, 3 * U);
    const x = k === 0 ? 'X' : `Yh${k}`;
    graph.message(1, node('GRU', `gru${k + 1}`, [x, `W${k + 1}`, `R${k + 1}`, `B${k + 1}`, '', `H${k + 1}`], [`Y${k + 1}`, `Yh${k + 1}`],
                          [attrInt('hidden_size', U), attrInt('linear_before_reset', linearBeforeReset)]));
    graph.message(5, tensor(`W${k + 1}`, [1, 3 * U, g.inputSize], transpose(g.kernel, g.inputSize, 3 * U)));
    graph.message(5, tensor(`R${k + 1}`, [1, 3 * U, U], transpose(g.recurrentKernel, U, 3 * U)));
    graph.message(5, tensor(`B${k + 1}`, [1, 6 * U], bias));
  });
  const last = `Yh${grus.length}`;
  graph.message(1, node('MatMul', 'dense', [last, 'Wd'], ['D1'], []));
  graph.message(1, node('Add', 'dense_bias', ['D1', 'bd'], ['D2'], []));
  graph.message(1, node('Sigmoid', 'out', ['D2'], ['OUT'], []));
  graph.string(2, 'gru_stream_bench');
  graph.message(5, tensor('Wd', [U, dense.units], dense.kernel));
  graph.message(5, tensor('bd', [dense.units], dense.bias));
  graph.message(11, valueInfo('X', [1, 1, grus[0].inputSize]));
  grus.forEach((_, k) => graph.message(11, valueInfo(`H${k + 1}`, [1, 1, U])));
  graph.message(12, valueInfo('OUT', [1, 1, dense.units]));
  grus.forEach((_, k) => graph.message(12, valueInfo(`Yh${k + 1}`, [1, 1, U])));
  return modelOf(graph);
}

/** A ModelProto holding `graph`: ir_version 8, producer 'tfjs-gru bench', opset 17 of the default domain. */
function modelOf(graph: Writer): Uint8Array {
  const model = new Writer();
  model.int(1, 8);                                      // ir_version 8 (opset 17 era)
  model.string(2, 'tfjs-gru bench');                    // producer_name
  model.message(7, graph);                              // graph
  model.message(8, new Writer().string(1, '').int(2, 17));  // opset_import { domain "", version 17 }
  return model.finish();
}
