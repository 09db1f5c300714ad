// Seeded mutations of the .safetensors and .onnx fixtures (bit flips, truncations, splices,
// edits of the length prefix, the JSON header and the protobuf fields): opening, GRU
// discovery, reading every tensor and (for some) converting must end in success or a typed
// ModelFileError naming the file, never another exception, and leave no tensor behind.
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';

import {findOnnxGrus} from '../src/checkpointModel/findOnnxGrus';
import {findTorchGrus} from '../src/checkpointModel/findTorchGrus';
import {gruStackToLayersModel} from '../src/checkpointModel/toLayersModel';
import {ModelFileError} from '../src/io/modelFileError';
import {readOnnxModel} from '../src/io/onnx';
import {decodeModel, encode} from '../src/io/onnx/protos';
import {readSafetensors} from '../src/io/safetensors';
import {loadManifest} from '../src/fixtures/fixtures';
import {fixtureModel} from './helpers/modelFiles';
import {rng} from './helpers/tensors';

const manifest = loadManifest();
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

/** ONNX-aware mutations: protobuf fields edited and re-encoded, or raw bytes. */
function mutateOnnx(b: Uint8Array, r: () => number): {kind: string; bytes: Uint8Array} {
  const k = int(r, 8);
  if (k === 0) return {kind: 'flip', bytes: flip(b, r)};
  if (k === 1) return {kind: 'truncate', bytes: b.slice(0, int(r, b.length))};
  if (k === 2) return {kind: 'splice', bytes: splice(b, r)};
  const m = decodeModel(b) as any;
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

interface Report { outcomes: Record<string, number>; untyped: string[] }

function run(format: 'safetensors' | 'onnx', cases: string[], n: number, seed: number): Report {
  const r = rng(seed);
  const files = cases.map((c) => new Uint8Array(fs.readFileSync(fixtureModel(c))));
  const outcomes: Record<string, number> = {};
  const untyped: string[] = [];
  const baseline = tf.memory().numTensors;
  for (let i = 0; i < n; i++) {
    const which = int(r, files.length);
    const {kind, bytes} = format === 'safetensors' ? mutateSafetensors(files[which], r) : mutateOnnx(files[which], r);
    const file = `fuzz-${i}.${format}`;
    let outcome = 'ok';
    try {
      const src = format === 'safetensors' ? readSafetensors(bytes, file) : readOnnxModel(bytes, file);
      const discovery = format === 'safetensors' ? findTorchGrus(src) : findOnnxGrus(src as any);
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
        // a mutated weight may be NaN or Inf (safetensors has no checksum): then the check cannot pass
        outcome = description.check!.pass ? 'converted' : 'converted, check not passed';
      }
    } catch (e) {
      if (e instanceof ModelFileError && e.file === file && typeof e.code === 'string') outcome = `${e.name} ${e.code}`;
      else untyped.push(`${cases[which]} ${kind} #${i}: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
    }
    outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
    if (tf.memory().numTensors !== baseline) {
      untyped.push(`${cases[which]} ${kind} #${i}: left ${tf.memory().numTensors - baseline} tensor(s)`);
      break;
    }
  }
  return {outcomes, untyped};
}

test('300 mutated .safetensors files: only typed errors, no leaks', () => {
  const report = run('safetensors', (manifest.pytorch_files as string[]), 300, 20261202);
  if (process.env.FUZZ_PRINT) console.log(report.outcomes);
  expect(report.untyped).toEqual([]);
  for (const code of ['TRUNCATED', 'BAD_HEADER', 'BAD_ENTRY', 'BAD_OFFSETS']) {
    expect([code, (report.outcomes[`SafetensorsError ${code}`] ?? 0) > 0]).toEqual([code, true]);
  }
  expect(report.outcomes.ok + (report.outcomes.converted ?? 0)).toBeGreaterThan(0);
});

test('300 mutated .onnx files: only typed errors, no leaks', () => {
  const report = run('onnx', (manifest.onnx as string[]), 300, 20261203);
  if (process.env.FUZZ_PRINT) console.log(report.outcomes);
  expect(report.untyped).toEqual([]);
  for (const code of ['OnnxError BAD_PROTO', 'OnnxError BAD_TENSOR']) {
    expect([code, (report.outcomes[code] ?? 0) > 0]).toEqual([code, true]);
  }
  expect(report.outcomes.ok + (report.outcomes.converted ?? 0)).toBeGreaterThan(0);
});
