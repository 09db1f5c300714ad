// Issue 18 item 5: the Python converter's output, without Python. For every tf.keras fixture model
// (fixtures/keras_models/tf_keras) that tensorflowjs_converter 4.22 converted (its model.json and
// weights in tfjs_converter/, written by tools/keras_model_fixtures.py), our conversion of the same
// .h5 has the same layers (names and classes: its GRU is our KerasGRU where tfjs cannot build Keras's
// GRU, its causal Conv1D our CausalConv1D), the same weights bit for bit, and predicts the same
// outputs — where the converter's model.json runs in tfjs at all (it is loaded here with
// registerKerasGru(), the only way its reset_after=True GRUs load; tfjs throws on its causal Conv1D
// and refuses to load its SeparableConv2D).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {registerKerasGru} from '../src/layers/kerasGru';
import {caseTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';
import {disposeModelFully} from '../src/kerasModel/topology/buildModel';
import {convertModelFileToDir} from '../src/node/convertModelFile';
import {loadLayersModelFromDir} from '../src/node/layersModelFiles';

const cases = ((loadManifest() as any).keras_models as string[])
    .filter((c) => c.includes('/tf_keras/') && loadCase(c).config.tfjs_converter?.folder != null);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-vs-converter-'));
let restore: () => void;
beforeAll(() => { restore = registerKerasGru(); });
afterAll(() => {
  restore();
  fs.rmSync(tmp, {recursive: true, force: true});
});

/** Our class for theirs: the same function, where tfjs's own class cannot compute it. */
const SAME_AS: Record<string, string[]> = {GRU: ['GRU', 'KerasGRU'], Conv1D: ['Conv1D', 'CausalConv1D']};

function layersOf(m: tf.LayersModel, prefix = ''): tf.layers.Layer[] {
  return m.layers.flatMap((l) => (l instanceof tf.LayersModel ? [l, ...layersOf(l, `${prefix}${l.name}/`)] : [l]));
}

test('the converter converted every tf.keras fixture model', () => {
  expect(cases.length).toBe(((loadManifest() as any).keras_models as string[]).filter((c) => c.includes('/tf_keras/') &&
    loadCase(c).config.refused == null).length);
  expect(cases.length).toBeGreaterThanOrEqual(15);
});

describe('same layers, same weights bit for bit, same outputs as tensorflowjs_converter 4.22', () => {
  test.each(cases)('%s', async (name) => {
    const c = loadCase(name);
    const out = path.join(tmp, name.replace(/\//g, '_'));
    await convertModelFileToDir(path.join(c.dir, c.config.file), out);
    const ours = await loadLayersModelFromDir(out);
    const theirs = await loadLayersModelFromDir(path.join(c.dir, c.config.tfjs_converter.folder)).catch((e: Error) => e);
    if (theirs instanceof Error) {
      // the one known case: the converter writes SeparableConv2D's unused kernel_* keys, which tfjs-layers refuses to load
      expect(theirs.message).toMatch(/Fields kernelInitializer, kernelRegularizer and kernelConstraint are invalid for SeparableConv2D/);
      expect(ours.layers.some((l) => l.getClassName() === 'SeparableConv2D')).toBe(true);
      disposeModelFully(ours);
      return;
    }
    const before = tf.memory().numTensors;
    const a = layersOf(ours);
    const b = layersOf(theirs);
    expect(a.map((l) => l.name)).toEqual(b.map((l) => l.name));
    a.forEach((l, i) => {
      const mine = l instanceof tf.layers.Layer && l.getClassName();
      const theirClass = b[i].getClassName();
      const inner = (x: tf.layers.Layer) => (x as any).layer?.getClassName?.() ?? null;  // Bidirectional / TimeDistributed
      expect([l.name, (SAME_AS[theirClass] ?? [theirClass]).includes(mine as string) ||
        (theirClass === 'KerasGRU' && mine === 'GRU')]).toEqual([l.name, true]);
      if (inner(b[i]) != null) {
        const ti = inner(b[i]);
        expect([l.name, (SAME_AS[ti] ?? [ti, 'KerasGRU']).includes(inner(l)) || (ti === 'KerasGRU' && inner(l) === 'GRU')]).toEqual([l.name, true]);
      }
      if (l instanceof tf.LayersModel) return;
      const wa = l.getWeights();
      const wb = b[i].getWeights();
      expect([l.name, wa.length]).toEqual([l.name, wb.length]);
      wa.forEach((w, j) => {
        expect(w.shape).toEqual(wb[j].shape);
        expect([l.name, j, Buffer.from((w.dataSync() as Float32Array).buffer).equals(Buffer.from((wb[j].dataSync() as Float32Array).buffer))])
            .toEqual([l.name, j, true]);
      });
    });
    const xs = (c.config.inputs as string[]).map((n) => caseTensor(c, n));
    const input = xs.length === 1 ? xs[0] : xs;
    const list = (t: tf.Tensor | tf.Tensor[]) => (Array.isArray(t) ? t : [t]);
    const mine = list(ours.predict(input) as tf.Tensor | tf.Tensor[]);
    let theirsOut: tf.Tensor[] | Error;
    try {
      theirsOut = list(theirs.predict(input) as tf.Tensor | tf.Tensor[]);
    } catch (e) {
      theirsOut = e as Error;
    }
    if (theirsOut instanceof Error) {
      // the one known case: tfjs-layers' Conv1D throws on padding='causal' when it runs
      expect(theirsOut.message).toMatch(/CAUSAL padding mode/);
      expect(b.some((l) => l.getClassName() === 'Conv1D' && (l as any).padding === 'causal')).toBe(true);
    } else {
      expect(theirsOut.length).toBe(mine.length);
      mine.forEach((y, i) => {
        const scale = Math.max(1, ...Array.from(y.dataSync(), Math.abs));
        expect(tf.tidy(() => tf.max(tf.abs(tf.sub(y, (theirsOut as tf.Tensor[])[i]))).dataSync()[0])).toBeLessThanOrEqual(1e-5 * scale);
      });
      tf.dispose(theirsOut);
    }
    tf.dispose([...xs, ...mine]);
    expect(tf.memory().numTensors).toBe(before);
    disposeModelFully(ours);
    disposeModelFully(theirs);
  });
});
