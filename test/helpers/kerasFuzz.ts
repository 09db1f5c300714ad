// Seeded mutations of the Keras fixture files and what the readers do with each: bit flips,
// truncations, splices and zeroed ranges of the raw bytes (.keras zips and .h5 files), and
// .keras zips rebuilt around a mutated model.weights.h5 or config.json (valid CRCs, so the
// HDF5 and config checks are reached). Every fault must be a ModelFileError naming the file.
import * as fs from 'fs';
import * as path from 'path';
import {strFromU8, strToU8, unzipSync, zipSync} from 'fflate';
import * as tf from '@tensorflow/tfjs';

import {ModelFileError} from '../../src/io/modelFileError';
import {readKerasFromBytes} from '../../src/io/keras/kerasFile';
import {planKerasModel} from '../../src/kerasModel/findKerasGrus';
import {storedWeights} from '../../src/kerasModel/topology/storedWeights';
import {translateKerasConfig} from '../../src/kerasModel/topology/translate';
import {rng} from './tensors';

const FIXTURES = path.join(__dirname, '..', '..', 'fixtures');

interface Fixture { name: string; file: string; bytes: Uint8Array; config?: string; values: Map<string, string> }

function fingerprint(t: tf.Tensor): string {
  const d = t.dataSync() as Float32Array;
  return Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('hex');
}

/** The fixture files with every tensor's bytes as read from the unmodified file. */
export function loadKerasFuzzFixtures(): Fixture[] {
  const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8'));
  // issue 10's GRU models, and issue 18's whole models: Functional ones with several inputs, merges, nested and shared layers
  const names = [...(manifest.keras_files as string[]).filter((n) => /gru_ra1_seq|bidi_gru_h5|embedding_gru_dense_keras|cudnn|weights/.test(n)),
    ...((manifest.keras_models ?? []) as string[]).filter((n) => /keras3\/(two_input_residual|functional_masking_merge)$|tf_keras\/shared_nested$/.test(n))];
  return names.map((name) => {
    const c = JSON.parse(fs.readFileSync(path.join(FIXTURES, name, 'case.json'), 'utf8'));
    const file = path.join(FIXTURES, name, c.config.file);
    const config = c.config.config_file ? fs.readFileSync(path.join(FIXTURES, name, c.config.config_file), 'utf8') : undefined;
    const bytes = new Uint8Array(fs.readFileSync(file));
    const kf = readKerasFromBytes({bytes, file, config});
    const values = new Map(kf.variables.map((v) => {
      const t = kf.read(v.name);
      const f = fingerprint(t);
      t.dispose();
      return [v.name, f];
    }));
    return {name, file, bytes, config, values};
  });
}

const int = (r: () => number, n: number) => Math.floor(r() * n);

function flipBits(b: Uint8Array, r: () => number): Uint8Array {
  const out = b.slice();
  for (let i = 0, n = 1 + int(r, 8); i < n && out.length > 0; i++) out[int(r, out.length)] ^= 1 << int(r, 8);
  return out;
}

function zeroRange(b: Uint8Array, r: () => number): Uint8Array {
  const out = b.slice();
  const at = int(r, out.length);
  out.fill(r() < 0.5 ? 0 : 0xff, at, Math.min(out.length, at + 1 + int(r, 64)));
  return out;
}

function splice(b: Uint8Array, r: () => number): Uint8Array {
  const from = int(r, b.length);
  const len = int(r, Math.min(64, b.length - from));
  const at = int(r, b.length);
  const out = b.slice();
  out.set(b.subarray(from, from + Math.min(len, b.length - at)), at);
  return out;
}

const truncate = (b: Uint8Array, r: () => number) => b.slice(0, int(r, b.length));
const BYTE_MUTATIONS = {flip: flipBits, zero: zeroRange, splice, truncate};

const CONFIG_EDITS: Array<(c: any, r: () => number) => void> = [
  (c) => { delete c.config.layers; },
  (c, r) => { const l = c.config.layers[int(r, c.config.layers.length)]; if (l.config) l.config.units = [0, 1, 1e9, -3, 'x'][int(r, 5)]; },
  (c, r) => { const l = c.config.layers[int(r, c.config.layers.length)]; l.class_name = ['LSTM', 'Conv2D', 'GRU', 'Bidirectional', ''][int(r, 5)]; },
  (c, r) => { c.config.layers.splice(int(r, c.config.layers.length), 1); },
  (c, r) => { const l = c.config.layers[int(r, c.config.layers.length)]; if (l.config) l.config.name = 'renamed'; },
  (c) => { c.class_name = 'Unknown'; },
  (c, r) => { const l = c.config.layers[int(r, c.config.layers.length)]; if (l.config) l.config.reset_after = !l.config.reset_after; },
  (c, r) => { const l = c.config.layers[int(r, c.config.layers.length)]; if (l.config) l.config.activation = ['gelu', 'hard_sigmoid', 7, null][int(r, 4)]; },
  (c, r) => { const l = c.config.layers[int(r, c.config.layers.length)]; if (l.config?.layer) l.config.layer.class_name = 'LSTM'; },
  (c) => { c.config.layers = c.config.layers.map((l: any) => ({...l, config: null})); },
  (c, r) => { const l = c.config.layers[int(r, c.config.layers.length)]; l.inbound_nodes = [[['nope', 3, 0, {}]], 'x', [{}]][int(r, 3)]; },
  (c, r) => {
    const l = c.config.layers[int(r, c.config.layers.length)];
    l.inbound_nodes = [{args: [{class_name: '__keras_tensor__', config: {keras_history: [['x'], null, 'y']}}, [7]], kwargs: {mask: 3, initial_state: 'h'}}];
  },
  (c, r) => { c.config.output_layers = [[], ['nope', 9, 9], 'x', null][int(r, 4)]; },
];

type Mutation = {kind: string; bytes: Uint8Array; config?: string; crcProtected: boolean};

function mutate(f: Fixture, r: () => number): Mutation {
  const zip = f.file.endsWith('.keras');
  const pick = r();
  if (zip && pick < 0.4) {  // rebuild the zip around a mutated entry: the CRCs are right, the contents are not
    const entries = unzipSync(f.bytes);
    if (r() < 0.6) {
      const names = Object.keys(BYTE_MUTATIONS) as Array<keyof typeof BYTE_MUTATIONS>;
      const m = names[int(r, names.length)];
      entries['model.weights.h5'] = BYTE_MUTATIONS[m](entries['model.weights.h5'], r) as Uint8Array<ArrayBuffer>;
      return {kind: `zip(h5 ${m})`, bytes: zipSync(entries), crcProtected: false};
    }
    const c = JSON.parse(strFromU8(entries['config.json']));
    const e = int(r, CONFIG_EDITS.length);
    CONFIG_EDITS[e](c, r);
    entries['config.json'] = strToU8(r() < 0.1 ? JSON.stringify(c).slice(0, 40) : JSON.stringify(c));
    return {kind: `zip(config edit ${e})`, bytes: zipSync(entries), crcProtected: false};
  }
  if (f.config != null && pick < 0.3) {
    const c = JSON.parse(f.config);
    const e = int(r, CONFIG_EDITS.length);
    CONFIG_EDITS[e](c, r);
    return {kind: `config edit ${e}`, bytes: f.bytes, config: JSON.stringify(c), crcProtected: false};
  }
  const names = Object.keys(BYTE_MUTATIONS) as Array<keyof typeof BYTE_MUTATIONS>;
  const m = names[int(r, names.length)];
  return {kind: `${zip ? 'zip' : 'h5'} ${m}`, bytes: BYTE_MUTATIONS[m](f.bytes, r), config: f.config, crcProtected: zip};
}

/** What the fuzz run saw: outcome counts ('ok' or the error class and code), untyped errors, undetected corruptions. */
export interface KerasFuzzReport {
  outcomes: Record<string, number>;
  untyped: string[];
  /** A tensor read from a CRC-protected (.keras) mutation whose bytes differ from the original's. */
  wrongTensors: number;
  leakedTensors: number;
}

/** Runs `n` seeded mutations: read the file, plan the model, translate the whole model and find its weights, read every tensor. */
export function runKerasFuzz(n: number, seed: number, fixtures = loadKerasFuzzFixtures()): KerasFuzzReport {
  const r = rng(seed);
  const report: KerasFuzzReport = {outcomes: {}, untyped: [], wrongTensors: 0, leakedTensors: 0};
  const before = tf.memory().numTensors;
  for (let i = 0; i < n; i++) {
    const f = fixtures[int(r, fixtures.length)];
    const m = mutate(f, r);
    let outcome = 'ok';
    try {
      const kf = readKerasFromBytes({bytes: m.bytes, file: f.file, config: m.config});
      planKerasModel(kf);
      const t = translateKerasConfig(kf.config, kf.file, null);  // the whole-model translation: refusals collected, faults typed
      storedWeights(kf, t.model);
      for (const v of kf.variables) {
        const t = kf.read(v.name);
        if (m.crcProtected && f.values.has(v.name) && fingerprint(t) !== f.values.get(v.name)) report.wrongTensors++;
        t.dispose();
      }
      kf.close();
    } catch (e) {
      if (e instanceof ModelFileError && e.file === f.file && e.message.startsWith(f.file)) {
        outcome = `${e.name} ${e.code}`;
      } else {
        outcome = 'untyped';
        report.untyped.push(`${f.name} case ${i} (${m.kind}): ${(e as Error)?.stack?.split('\n').slice(0, 3).join(' | ') ?? e}`);
      }
    }
    report.outcomes[outcome] = (report.outcomes[outcome] ?? 0) + 1;
  }
  report.leakedTensors = tf.memory().numTensors - before;
  return report;
}
