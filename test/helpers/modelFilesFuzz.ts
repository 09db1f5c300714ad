// Seeded mutations of the .safetensors, .onnx and .npz fixtures and what the readers and the
// converter do with each: bit flips, truncations, splices, edits of the length prefix, the
// JSON header, the protobuf fields and the .npy headers, and (ONNX) graph-level edits: nodes removed,
// duplicated or retyped, inputs rewired (cycles, self-loops, two producers), graph outputs
// and opsets changed, attributes of the wrong type. Opening, GRU discovery, reading every
// tensor and (every third) converting with the self-check must end in success or a typed
// ModelFileError naming the file, never another exception, and leave no tensor behind.
// Run by test/modelFiles.fuzz.test.ts (a few hundred) and bench/fuzzModelFiles.ts (CI: 2,000 per format).
import * as fs from 'fs';
import * as path from 'path';
import {strFromU8, strToU8, unzipSync, zipSync} from 'fflate';
import * as tf from '@tensorflow/tfjs';

import {findOnnxGrus} from '../../src/discovery/findOnnxGrus';
import {findTorchGrus} from '../../src/discovery/findTorchGrus';
import {gruStackToLayersModel} from '../../src/gruStackModel/toLayersModel';
import {ModelFileError} from '../../src/io/modelFileError';
import {readOnnxModel} from '../../src/io/onnx';
import {decodeModel, encode} from '../../src/io/onnx/protos';
import {readSafetensors} from '../../src/io/safetensors';
import {readNpz} from '../../src/io/npz';
import {renameSource} from '../../src/io/renamedSource';
import {FIXTURES} from './checkpointBytes';
import {loadManifest} from '../../src/fixtures/fixtures';
import {fixtureModel} from './modelFiles';
import {rng} from './tensors';

const int = (r: () => number, n: number) => Math.floor(r() * n);

function flip(b: Uint8Array, r: () => number, from = 0, to = b.length): Uint8Array {
  const out = b.slice();
  for (let i = 0, n = 1 + int(r, 6); i < n && to > from; i++) out[from + int(r, to - from)] ^= 1 << int(r, 8);
  return out;
}

function splice(b: Uint8Array, r: () => number): Uint8Array {
  const at = int(r, b.length);
  const len = 1 + int(r, 32);
  const src = b.subarray(int(r, b.length), undefined).subarray(0, len);
  const out = new Uint8Array(b.length - Math.min(len, b.length - at) + src.length);
  out.set(b.subarray(0, at));
  out.set(src, at);
  out.set(b.subarray(at + Math.min(len, b.length - at)), at + src.length);
  return out;
}

/** safetensors-aware mutations: the length prefix, the header JSON (re-serialised), or raw bytes. */
function mutateSafetensors(b: Uint8Array, r: () => number): {kind: string; bytes: Uint8Array} {
  const n = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(b.subarray(8, 8 + n)));
  const names = Object.keys(header).filter((k) => k !== '__metadata__');
  const rebuild = (h: unknown, data = b.subarray(8 + n)) => {
    const text = new TextEncoder().encode(JSON.stringify(h));
    const out = new Uint8Array(8 + text.length + data.length);
    new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
    out.set(text, 8);
    out.set(data, 8 + text.length);
    return out;
  };
  const k = int(r, 9);
  const pick = names[int(r, names.length)];
  switch (k) {
    case 0: return {kind: 'flip header', bytes: flip(b, r, 8, 8 + n)};
    case 1: return {kind: 'flip data', bytes: flip(b, r, 8 + n)};
    case 2: return {kind: 'truncate', bytes: b.slice(0, int(r, b.length))};
    case 3: {
      const out = b.slice();
      new DataView(out.buffer).setBigUint64(0, BigInt(Math.max(0, n + int(r, 64) - 32)), true);
      return {kind: 'length prefix', bytes: out};
    }
    case 4: header[pick].data_offsets[int(r, 2)] += int(r, 16) - 8; return {kind: 'offset', bytes: rebuild(header)};
    case 5: header[pick].dtype = ['F16', 'BF16', 'F64', 'I64', 'U8', 'BOOL', 'F8_E4M3', 'X'][int(r, 8)]; return {kind: 'dtype', bytes: rebuild(header)};
    case 6: {
      const s = header[pick].shape;
      if (s.length > 0) s[int(r, s.length)] = int(r, 3) === 0 ? -1 : int(r, 30);
      else s.push(int(r, 4));
      return {kind: 'shape', bytes: rebuild(header)};
    }
    case 7: delete header[pick]; return {kind: 'drop entry', bytes: rebuild(header)};
    default: return {kind: 'splice', bytes: splice(b, r)};
  }
}

const OPS = ['Transpose', 'Squeeze', 'Unsqueeze', 'Reshape', 'MatMul', 'Add', 'Identity', 'Relu', 'GRU', 'Concat', 'NoSuchOp', ''];

/** Graph-level edits of a decoded ModelProto (the bytes stay well-formed protobuf; the graph does not). */
const GRAPH_EDITS: Array<[string, (m: any, r: () => number) => void]> = [
  ['remove node', (m, r) => { m.graph.node.splice(int(r, m.graph.node.length), 1); }],
  ['duplicate node', (m, r) => { const n = m.graph.node[int(r, m.graph.node.length)]; m.graph.node.splice(int(r, m.graph.node.length), 0, {...n}); }],
  ['retype node', (m, r) => { m.graph.node[int(r, m.graph.node.length)].op_type = OPS[int(r, OPS.length)]; }],
  ['rewire input', (m, r) => {
    const n = m.graph.node[int(r, m.graph.node.length)];
    const outs = m.graph.node.flatMap((x: any) => x.output);
    if (n.input.length > 0) n.input[int(r, n.input.length)] = outs[int(r, outs.length)];  // may point forward: a cycle
  }],
  ['self-loop', (m, r) => { const n = m.graph.node[int(r, m.graph.node.length)]; if (n.input.length) n.input[0] = n.output[0]; }],
  ['two producers', (m, r) => {
    const a = m.graph.node[int(r, m.graph.node.length)];
    const b = m.graph.node[int(r, m.graph.node.length)];
    a.output[0] = b.output[0];
  }],
  ['graph output', (m, r) => { if (r() < 0.5) m.graph.output = []; else m.graph.output[0].name = 'nope'; }],
  ['graph input', (m, r) => { if (r() < 0.5) m.graph.input = []; else m.graph.input.push({name: m.graph.initializer[0]?.name ?? 'W'}); }],
  ['opset', (m, r) => { m.opset_import = r() < 0.3 ? [] : [{domain: ['', 'ai.onnx', 'com.microsoft'][int(r, 3)], version: [1, 6, 7, 99, -1][int(r, 5)]}]; }],
  ['attribute type', (m, r) => {
    const n = m.graph.node.find((x: any) => x.op_type === 'GRU') ?? m.graph.node[0];
    const a = n.attribute[int(r, n.attribute.length)];
    if (a == null) return;
    const t = int(r, 4);
    if (t === 0) { a.type = 1; a.f = 1.5; a.i = 0; }
    else if (t === 1) { a.type = 3; a.s = new TextEncoder().encode('16000'); }
    else if (t === 2) { a.type = 7; a.ints = [1, 2, 3]; }
    else { a.i = [2 ** 31 - 1, -(2 ** 31), 16000, 0][int(r, 4)]; }
  }],
  ['drop initializer', (m, r) => { m.graph.initializer.splice(int(r, m.graph.initializer.length), 1); }],
  ['rename initializer', (m, r) => { const t = m.graph.initializer[int(r, m.graph.initializer.length)]; if (t) t.name = m.graph.node[0].output[0]; }],
];

/** ONNX-aware mutations: raw bytes, protobuf fields edited and re-encoded, or the graph edited. */
export function mutateOnnx(b: Uint8Array, r: () => number): {kind: string; bytes: Uint8Array} {
  const k = int(r, 10);
  if (k === 0) return {kind: 'flip', bytes: flip(b, r)};
  if (k === 1) return {kind: 'truncate', bytes: b.slice(0, int(r, b.length))};
  if (k === 2) return {kind: 'splice', bytes: splice(b, r)};
  const m = decodeModel(b) as any;
  if (k >= 8) {
    const [name, edit] = GRAPH_EDITS[int(r, GRAPH_EDITS.length)];
    edit(m, r);
    if (r() < 0.3 && m.graph.node.length > 0) {  // and a second one
      const [name2, edit2] = GRAPH_EDITS[int(r, GRAPH_EDITS.length)];
      edit2(m, r);
      return {kind: `graph: ${name} + ${name2}`, bytes: encode('ModelProto', m)};
    }
    return {kind: `graph: ${name}`, bytes: encode('ModelProto', m)};
  }
  const inits = m.graph.initializer;
  const t = inits[int(r, inits.length)];
  const gru = m.graph.node.filter((x: any) => x.op_type === 'GRU');
  const node = gru[int(r, gru.length)];
  switch (k) {
    case 3: if (t.dims.length) t.dims[int(r, t.dims.length)] = int(r, 3) === 0 ? -1 : int(r, 30); else t.dims.push(3); return {kind: 'dims', bytes: encode('ModelProto', m)};
    case 4: t.data_type = [0, 2, 7, 8, 10, 11, 14, 16, 99][int(r, 9)]; return {kind: 'data_type', bytes: encode('ModelProto', m)};
    case 5: t.raw_data = t.raw_data.subarray(0, int(r, t.raw_data.length)); return {kind: 'raw_data', bytes: encode('ModelProto', m)};
    case 6: {
      const a = node.attribute[int(r, node.attribute.length)];
      if (a != null) { a.i = [-1, 0, 1, 2, 7][int(r, 5)]; a.s = new TextEncoder().encode(['reverse', 'forward', 'bidirectional', 'sideways'][int(r, 4)]); }
      return {kind: 'attribute', bytes: encode('ModelProto', m)};
    }
    default: node.input[int(r, node.input.length)] = ['', 'nope', node.output[0], 'W'][int(r, 4)]; return {kind: 'node input', bytes: encode('ModelProto', m)};
  }
}

const NPZ_RENAME = 'enc_w_ih=enc.weight_ih_l0,enc_w_hh=enc.weight_hh_l0,enc_b_ih=enc.bias_ih_l0,enc_b_hh=enc.bias_hh_l0,' +
    'dec_w_ih=dec.weight_ih_l0,dec_w_hh=dec.weight_hh_l0,dec_b_ih=dec.bias_ih_l0,dec_b_hh=dec.bias_hh_l0';

/** .npz mutations: raw bytes, or the zip rebuilt (valid CRCs) around one .npy entry with its header, shape or data edited. */
function mutateNpz(b: Uint8Array, r: () => number): {kind: string; bytes: Uint8Array} {
  const k = int(r, 6);
  if (k === 0) return {kind: 'flip', bytes: flip(b, r)};
  if (k === 1) return {kind: 'truncate', bytes: b.slice(0, int(r, b.length))};
  if (k === 2) return {kind: 'splice', bytes: splice(b, r)};
  const entries = unzipSync(b) as Record<string, Uint8Array>;
  const names = Object.keys(entries);
  const name = names[int(r, names.length)];
  const e = entries[name];
  const headerLen = 10 + (e[8] | (e[9] << 8));
  if (k === 3) entries[name] = flip(e, r, 0, Math.min(headerLen, e.length));
  else if (k === 4) entries[name] = e.slice(0, headerLen + int(r, Math.max(1, e.length - headerLen)));
  else {
    const text = strFromU8(e.subarray(10, headerLen)).replace(/'shape': \(([^)]*)\)/, () =>
      `'shape': (${[int(r, 3) === 0 ? -1 : int(r, 70), [16000, 2 ** 31, 0, 7][int(r, 4)]].join(', ')})`);
    const h = strToU8(text.padEnd(headerLen - 10, ' ').slice(0, headerLen - 10));
    const out = e.slice();
    out.set(h, 10);
    entries[name] = out;
  }
  return {kind: `npy ${['header', 'data', 'shape'][k - 3]}`, bytes: zipSync(entries as Record<string, Uint8Array<ArrayBuffer>>, {level: int(r, 2) === 0 ? 0 : 6})};
}

/** What a fuzz run saw: the count of each outcome ('ok', 'converted', or the error class and code), and every fault that escaped. */
export interface ModelFileFuzzReport {
  outcomes: Record<string, number>;
  /** Untyped exceptions, typed ones naming another file, and leaked tensors, each with its case. */
  untyped: string[];
  /** Counts by mutation kind (graph-level ones start with 'graph:'). */
  kinds: Record<string, number>;
}

/** Runs `n` seeded mutations of the fixture files of `format` (see the module comment). */
export function runModelFileFuzz(format: 'safetensors' | 'onnx' | 'npz', n: number, seed: number): ModelFileFuzzReport {
  const manifest = loadManifest();
  const r = rng(seed);
  let cases: string[];
  let files: Uint8Array[];
  if (format === 'npz') {
    const dirs = (manifest.pytorch_npz as string[]).map((c) => path.join(FIXTURES, ...c.split('/')));
    cases = dirs.flatMap((d) => fs.readdirSync(d).filter((f) => f.endsWith('.npz')).map((f) => path.join(d, f)));
    files = cases.map((c) => new Uint8Array(fs.readFileSync(c)));
  } else {
    cases = (format === 'safetensors' ? manifest.pytorch_files : manifest.onnx) as string[];
    files = cases.map((c) => new Uint8Array(fs.readFileSync(fixtureModel(c))));
  }
  const outcomes: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  const untyped: string[] = [];
  for (let i = 0; i < n; i++) {
    const which = int(r, files.length);
    const {kind, bytes} = format === 'safetensors' ? mutateSafetensors(files[which], r) :
      format === 'npz' ? mutateNpz(files[which], r) : mutateOnnx(files[which], r);
    kinds[kind.startsWith('graph:') ? 'graph' : kind] = (kinds[kind.startsWith('graph:') ? 'graph' : kind] ?? 0) + 1;
    const file = `fuzz-${i}.${format}`;
    let outcome = 'ok';
    const baseline = tf.memory().numTensors;
    try {
      const src = format === 'safetensors' ? readSafetensors(bytes, file) : format === 'npz' ? renameSource(readNpz(bytes, file), NPZ_RENAME) :
        readOnnxModel(bytes, file);
      const discovery = format === 'onnx' ? findOnnxGrus(src as any) : findTorchGrus(src);
      for (const v of src.variables) {
        try {
          src.read(v.name).dispose();
        } catch (e) {
          if (!(e instanceof ModelFileError && e.file === file)) throw e;
        }
      }
      if (discovery.stacks.length > 0 && i % 3 === 0) {
        const {model, description} = gruStackToLayersModel(src, discovery, {stack: discovery.stacks[0].name});
        model.dispose();
        // a mutated weight may be NaN or Inf (safetensors has no checksum): then the check cannot judge it
        outcome = description.check!.pass ? 'converted' : description.check!.nonFinite ? 'converted, NaN/Inf' : 'converted, check not passed';
        if (outcome === 'converted, check not passed') untyped.push(`${cases[which]} ${kind} #${i}: finite weights, check failed: ${JSON.stringify(description.check)}`);
      }
    } catch (e) {
      if (e instanceof ModelFileError && e.file === file && typeof e.code === 'string') outcome = `${e.name} ${e.code}`;
      else untyped.push(`${cases[which]} ${kind} #${i}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    const left = tf.memory().numTensors - baseline;
    if (left !== 0) untyped.push(`${cases[which]} ${kind} #${i}: left ${left} tensor(s)`);
  }
  return {outcomes, untyped, kinds};
}
