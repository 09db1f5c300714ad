/**
 * A model run one frame at a time on its own instance of the wasm GRU kernel,
 * the GRU states held inside (in the instance's memory) between frames.
 *
 * Everything is laid out once, when the stream is made: the weights, every
 * node's output, the scratch of the GRU step, and the typed-array views the
 * frame loop uses. A frame then copies the input in, runs the program (one
 * gk_step per GRU, one gk_dense per Dense, small loops for the rest) and
 * returns the output view: no allocation, no tfjs, synchronous.
 */
import {ACTIVATION_CODES} from '../kernels/sequenceKernel';
import {GruKernelExports} from '../kernels/wasm/wasmApi';
import {FRAME_ACTIVATIONS} from './frameActivations';
import {PlanNode, StreamPlan} from './streamPlan';

/** The largest batch whose products read transposed weights (gk_sgemm's dot-product case). */
const TRANSPOSED_MAX_BATCH = 4;

/** a [rows, cols] row-major as [cols, rows]. */
function transposed(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

const PAGE = 65536;

/** Bump allocation of 16-byte aligned float arrays in the module's memory. */
class Arena {
  end: number;
  constructor(start: number) { this.end = start; }
  take(floats: number): number {
    const at = (this.end + 15) & ~15;
    this.end = at + 4 * Math.max(floats, 1);
    return at;
  }
}

/**
 * One layer of a stream, as {@link GruStream.layers} lists it.
 * @category Backends and kernels
 */
export interface StreamLayerInfo {
  name: string;
  op: PlanNode['op'];
  /** features out */
  size: number;
}

/**
 * See the module comment. Made by createGruStream / createGruStreamSync (the `tfjs-gru/stream` entry) or gruStreamFromLayersModel.
 * @category Backends and kernels
 */
export class GruStream {
  /** Features of one frame in (per batch row). */
  readonly inputSize: number;
  /** Features of one frame out (per batch row). */
  readonly outputSize: number;
  /** Rows per frame: a frame is [batch, inputSize] flattened (1 for real-time use). */
  readonly batch: number;
  /** Frames run since the stream was made or last reset. */
  frames = 0;

  private readonly program: Array<() => void> = [];
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly outputSource: Float32Array;
  private readonly states: Float32Array[] = [];
  private readonly plan: StreamPlan;

  /** `exports`: a fresh instance of gru_kernel.wasm, used by this stream only (it owns the memory past __heap_base). */
  constructor(plan: StreamPlan, exports: GruKernelExports, batch = 1) {
    if (!Number.isInteger(batch) || batch < 1) throw new Error(`GruStream: batch must be a positive integer, got ${batch}`);
    this.plan = plan;
    this.batch = batch;
    this.inputSize = plan.inputSize;
    this.outputSize = plan.outputSize;
    const B = batch;
    const e = exports;
    const arena = new Arena((exports.__heap_base.value as number) >>> 0);

    // Addresses first (the memory grows once, then the views are made and stay valid).
    const value: number[] = [arena.take(B * plan.inputSize)];
    type Placed = {node: PlanNode, at: Record<string, number>};
    const placed: Placed[] = [];
    let scratchFloats = 0;
    const dimsSize = 8;
    for (const [k, node] of plan.nodes.entries()) {
      const at: Record<string, number> = {};
      if (node.op === 'gru') {
        at.dims = arena.take(dimsSize);
        at.W = arena.take(node.weights.W.length);
        at.R = arena.take(node.weights.R.length);
        at.bx = node.weights.bx ? arena.take(node.weights.bx.length) : 0;
        at.bh = node.weights.bh ? arena.take(node.weights.bh.length) : 0;
        scratchFloats = Math.max(scratchFloats, B * 7 * node.units);
      } else if (node.op === 'dense') {
        at.K = arena.take(node.kernel.length);
        at.b = node.bias ? arena.take(node.bias.length) : 0;
      }
      value.push(arena.take(B * plan.sizes[k + 1]));
      placed.push({node, at});
    }
    const scratch = arena.take(scratchFloats);
    const out = arena.take(B * plan.outputSize);
    const have = e.memory.buffer.byteLength;
    if (arena.end > have) e.memory.grow(Math.ceil((arena.end - have) / PAGE));

    const heap = new Float32Array(e.memory.buffer);
    const view = (ptr: number, n: number) => new Float32Array(e.memory.buffer, ptr, n);
    // Up to 4 rows the kernel's products take the weights transposed (dot products of contiguous rows,
    // measured ~10 % faster at batch 1, where a frame streams its weights from memory once).
    const T = B <= TRANSPOSED_MAX_BATCH ? 1 : 0;
    const weightLayout = (a: Float32Array, rows: number, cols: number) => T ? transposed(a, rows, cols) : a;
    const valueView = value.map((ptr, id) => view(ptr, B * plan.sizes[id]));
    this.input = valueView[0];
    this.output = view(out, B * plan.outputSize);
    this.outputSource = valueView[plan.output];

    for (const [k, {node, at}] of placed.entries()) {
      const y = value[k + 1], yView = valueView[k + 1];
      if (node.op === 'gru') {
        const w = node.weights;
        new Int32Array(e.memory.buffer, at.dims, dimsSize).set([
          B, 1, node.inputSize, node.units, node.resetAfter ? 1 : 0, node.activation, node.recurrentActivation, 0]);
        heap.set(weightLayout(w.W, node.inputSize, 3 * node.units), at.W >> 2);
        heap.set(weightLayout(w.R, node.units, 3 * node.units), at.R >> 2);
        if (w.bx) heap.set(w.bx, at.bx >> 2);
        if (w.bh) heap.set(w.bh, at.bh >> 2);
        const x = value[node.input];
        const {dims, W, R, bx, bh} = at;
        this.states.push(yView);
        this.program.push(() => { e.gk_step(dims, x, W, R, bx, bh, y, scratch, T); });
      } else if (node.op === 'dense') {
        heap.set(weightLayout(node.kernel, node.inputSize, node.units), at.K >> 2);
        if (node.bias) heap.set(node.bias, at.b >> 2);
        const x = value[node.input];
        const {K, b} = at;
        const {inputSize, units} = node;
        const code = ACTIVATION_CODES[node.activation];
        if (code != null) {
          this.program.push(() => e.gk_dense(B, inputSize, units, x, K, b, code, y, T));
        } else {
          const f = FRAME_ACTIVATIONS[node.activation];
          const linear = ACTIVATION_CODES.linear;
          this.program.push(() => { e.gk_dense(B, inputSize, units, x, K, b, linear, y, T); f(yView, B, units); });
        }
      } else if (node.op === 'activation') {
        const xView = valueView[node.input];
        const code = ACTIVATION_CODES[node.activation];
        const n = node.size;
        if (code != null) {
          this.program.push(() => { yView.set(xView); e.gk_activate(code, y, B * n); });
        } else {
          const f = FRAME_ACTIVATIONS[node.activation];
          this.program.push(() => { yView.set(xView); f(yView, B, n); });
        }
      } else {
        this.program.push(mergeStep(node.kind, node.inputs.map((i) => valueView[i]), node.inputs.map((i) => plan.sizes[i]),
                                    yView, B, node.size));
      }
    }
    this.reset();
  }

  /** The layers the stream runs, in order. */
  get layers(): StreamLayerInfo[] {
    return this.plan.nodes.map((n, k) => ({name: n.name, op: n.op, size: this.plan.sizes[k + 1]}));
  }

  /** Sets every GRU state to zeros (a new sequence starts), as a fresh stream. */
  reset(): void {
    for (const s of this.states) s.fill(0);
    this.frames = 0;
  }

  /**
   * Runs one frame: `frame` is [batch, inputSize] flattened. Returns the model's
   * output for this frame, [batch, outputSize]: `out` when given, else a view
   * owned by the stream that the next step overwrites (copy it to keep it).
   */
  step(frame: Float32Array, out?: Float32Array): Float32Array {
    if (frame.length !== this.input.length) {
      throw new Error(`GruStream.step: a frame has ${this.input.length} values ([${this.batch}, ${this.inputSize}]), got ${frame.length}`);
    }
    this.input.set(frame);
    const p = this.program;
    for (let i = 0; i < p.length; i++) p[i]();
    this.frames++;
    if (out != null) {
      if (out.length !== this.output.length) {
        throw new Error(`GruStream.step: out must have ${this.output.length} values ([${this.batch}, ${this.outputSize}]), got ${out.length}`);
      }
      out.set(this.outputSource);
      return out;
    }
    this.output.set(this.outputSource);
    return this.output;
  }
}

/** One merge node's loop (inputs of `sizes[i]` features each, B rows). */
function mergeStep(kind: string, xs: Float32Array[], sizes: number[], y: Float32Array, B: number, n: number): () => void {
  if (kind === 'concatenate') {
    // Row b of input i goes to columns [offset_i, offset_i + size_i) of row b (views made once).
    const copies: Array<[Float32Array, number]> = [];
    for (let b = 0; b < B; b++) {
      let o = b * n;
      xs.forEach((x, i) => {
        copies.push([x.subarray(b * sizes[i], (b + 1) * sizes[i]), o]);
        o += sizes[i];
      });
    }
    return () => {
      for (let c = 0; c < copies.length; c++) y.set(copies[c][0], copies[c][1]);
    };
  }
  const first = xs[0], rest = xs.slice(1), len = B * n;
  const fold: Record<string, (a: number, b: number) => number> = {
    add: (a, b) => a + b, subtract: (a, b) => a - b, multiply: (a, b) => a * b, average: (a, b) => a + b,
    maximum: (a, b) => Math.max(a, b), minimum: (a, b) => Math.min(a, b),
  };
  const f = fold[kind];
  const scale = kind === 'average' ? 1 / xs.length : 1;
  return () => {
    y.set(first);
    for (let i = 0; i < rest.length; i++) {
      const x = rest[i];
      for (let j = 0; j < len; j++) y[j] = f(y[j], x[j]);
    }
    if (scale !== 1) for (let j = 0; j < len; j++) y[j] *= scale;
  };
}
