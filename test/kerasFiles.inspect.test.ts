// `tfjs-gru inspect` on every Keras fixture file, and the same through the real bin: the
// container and Keras version, each layer's weights as the file stores them, the GRUs found
// (type, layout, sizes) checked against the layer configs Keras wrote, and the conversion
// convert will make. Also the reader's own view of the weight groups.
import {execFileSync, spawnSync} from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {runInspect} from '../src/cli/inspectCommand';
import {loadCase, loadManifest} from '../src/fixtures/fixtures';
import {readKerasFromBytes} from '../src/io/keras';

const BIN = path.resolve(__dirname, '..', 'bin', 'tfjs-gru.js');
const cases = (loadManifest() as any).keras_files as string[];

function fileOf(name: string): string {
  const c = loadCase(name);
  return path.join(c.dir, c.config.file);
}

/** The GRU layers' configs as Keras wrote them, read with plain JSON (not through our architecture reader). */
function gruConfigs(name: string): Array<{units: number; resetAfter: boolean; cudnn: boolean; bidirectional: boolean}> {
  const kf = open(name);
  const layers: any[] = kf.config.config.layers;
  return layers.filter((l) => ['GRU', 'CuDNNGRU', 'Bidirectional'].includes(l.class_name)).map((l) => {
    const inner = l.class_name === 'Bidirectional' ? l.config.layer : l;
    return {units: inner.config.units, resetAfter: inner.class_name === 'CuDNNGRU' || inner.config.reset_after !== false,
      cudnn: inner.class_name === 'CuDNNGRU', bidirectional: l.class_name === 'Bidirectional'};
  });
}

function open(name: string) {
  const c = loadCase(name);
  const config = c.config.config_file ? fs.readFileSync(path.join(c.dir, c.config.config_file), 'utf8') : undefined;
  return readKerasFromBytes({bytes: fs.readFileSync(fileOf(name)), file: fileOf(name), config});
}

describe('inspect on each Keras file', () => {
  test.each(cases)('%s', (name) => {
    const out: string[] = [];
    const err: string[] = [];
    const before = tf.memory().numTensors;
    const code = runInspect({path: fileOf(name), json: true}, {stdout: (t) => out.push(t), stderr: (t) => err.push(t)});
    expect([code, err.join('')]).toEqual([0, '']);
    expect(tf.memory().numTensors).toBe(before);
    const r = JSON.parse(out.join(''));
    const c = loadCase(name);
    expect(r.kind).toBe(c.config.file.endsWith('.keras') ? 'keras' : c.config.file.endsWith('.weights.h5') ? 'weights-h5' : 'legacy-h5');
    if (r.kind !== 'weights-h5') expect(r.kerasVersion).toBe(name.includes('keras3') ? '3.15.1' : '2.21.0');
    // every GRU of the config is found with its units and family, Bidirectional as fw + bw
    const want = gruConfigs(name).flatMap((g) => (g.bidirectional ? [g, g] : [g]));
    expect(r.grus.map((g: any) => [g.units, g.resetAfter, g.cellType])).toEqual(
        want.map((g) => [g.units, g.resetAfter, g.cudnn ? 'keras.CuDNNGRU' : 'keras.GRU']));
    expect(r.grus.map((g: any) => g.direction)).toEqual(want.map((g, i) => (g.bidirectional ? (i % 2 === 0 ? 'fw' : 'bw') : 'forward')));
    for (const l of r.layers) expect(l.becomes != null || l.problem != null).toBe(true);
    expect(r.conversion.mode).toBe(/keras3\/hard_sigmoid/.test(name) ? 'refused' : 'whole-model');
  });
});

test("Keras 3 weight groups (layers/<snake_case>/cell/vars/i) and legacy weight names (gru/gru_cell/kernel:0)", () => {
  const v3 = open('keras_files/keras3/bidi_gru_keras');
  expect(v3.layerWeights.map((g) => g.key)).toEqual(['bidirectional']);
  expect(v3.layerWeights[0].weights.map((w) => w.name)).toEqual(expect.arrayContaining(
      ['forward_layer/cell/vars/0', 'forward_layer/cell/vars/2', 'backward_layer/cell/vars/1']));
  const legacy = open('keras_files/tf_keras/bidi_gru_h5');
  expect(legacy.layerWeights[0].weights.map((w) => w.name)).toEqual([
    expect.stringMatching(/^bidirectional\/forward_gru(_\d+)?\/gru_cell\/kernel:0$/),
    expect.stringMatching(/recurrent_kernel:0$/), expect.stringMatching(/forward_gru(_\d+)?\/gru_cell\/bias:0$/),
    expect.stringMatching(/^bidirectional\/backward_gru(_\d+)?\/gru_cell\/kernel:0$/),
    expect.stringMatching(/recurrent_kernel:0$/), expect.stringMatching(/bias:0$/)]);
  const cu = open('keras_files/tf_keras/cudnn_gru_h5');
  expect(cu.variables.find((v) => v.name.endsWith('bias:0') && v.name.includes('cu_dnngru'))!.shape).toEqual([24]);
});

test('inspect through the real bin: text names the layers and the conversion; a .weights.h5 finds its config.json', () => {
  const text = execFileSync('node', [BIN, 'inspect', fileOf('keras_files/keras3/conv_gru_keras')], {encoding: 'utf8'});
  expect(text).toMatch(/\.keras file \(zip\), Keras 3\.15\.1, Sequential model, input \[batch, time, 3\]/);
  expect(text).toMatch(/conv1d\s+Conv1D\s+vars\/0 \[2,3,4\], vars\/1 \[4\]\s+Conv1D/);
  expect(text).toMatch(/convert: the whole model \(every layer converts exactly\)/);
  const w = JSON.parse(execFileSync('node', [BIN, 'inspect', fileOf('keras_files/keras3/gru_ra1_dense_weights'), '--json'], {encoding: 'utf8'}));
  expect([w.kind, w.conversion.mode]).toEqual(['weights-h5', 'whole-model']);
  const missing = spawnSync('node', [BIN, 'inspect', '/nope/model.keras'], {encoding: 'utf8'});
  expect(missing.status).toBe(1);
  expect(missing.stderr).toMatch(/\/nope\/model\.keras: no such file \[NOT_FOUND\]/);
});
