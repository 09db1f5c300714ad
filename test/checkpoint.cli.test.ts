// `tfjs-gru inspect` / `tfjs-gru convert` as a user runs them: the real bin, through pipes.
import {execFileSync, spawnSync} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {runConvert} from '../src/cli/convertCommand';
import {caseTensor, loadCase} from '../src/fixtures/fixtures';
import {loadLayersModelFromDir} from '../src/node/layersModelFiles';
import {ckptPrefix, FIXTURES} from './helpers/checkpointBytes';

const BIN = path.resolve(__dirname, '..', 'bin', 'tfjs-gru.js');

test('inspect --json through a pipe: whole JSON, the GRU found, exit 0', () => {
  const out = execFileSync('node', [BIN, 'inspect', path.dirname(ckptPrefix('tf1_multi_dense')), '--json'],
      {encoding: 'utf8', maxBuffer: 1 << 26});
  const r = JSON.parse(out);
  expect(r.grus.map((g: any) => g.scope)).toEqual(['rnn/multi_rnn_cell/cell_0/gru_cell', 'rnn/multi_rnn_cell/cell_1/gru_cell']);
  expect(r.stacks[0].dense.kernel).toBe('dense/kernel');
});

test('convert: a bad prefix exits 1 naming what was looked for; usage errors exit 2', () => {
  const bad = spawnSync('node', [BIN, 'convert', '/nope/model.ckpt', '--out', os.tmpdir()], {encoding: 'utf8'});
  expect(bad.status).toBe(1);
  expect(bad.stderr).toMatch(/\/nope\/model\.ckpt\.index.*\[NOT_FOUND\]/);
  const usage = spawnSync('node', [BIN, 'convert', ckptPrefix('tf1_single')], {encoding: 'utf8'});
  expect(usage.status).toBe(2);
  expect(usage.stderr).toMatch(/--out <dir>/);
});

test('runConvert --json: what was built, and the folder reproduces TensorFlow', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-cli-'));
  let stdout = '';
  const code = await runConvert({path: ckptPrefix('keras_bidi_adam'), out, json: true},
      {stdout: (t) => { stdout += t; }, stderr: (t) => { throw new Error(t); }});
  expect(code).toBe(0);
  const r = JSON.parse(stdout);
  expect(r.layers.map((l: any) => l.className)).toEqual(['Bidirectional(KerasGRU)']);
  expect(r.needsTfjsGru).toBe(true);
  expect(r.loadedCheck.pass).toBe(true);
  const c = loadCase('checkpoints/keras_bidi_adam', FIXTURES);
  const model = await loadLayersModelFromDir(out);
  const [x, want] = [caseTensor(c, 'x'), caseTensor(c, 'logits')];
  const got = model.predict(x) as tf.Tensor;
  expect(tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]).toBeLessThanOrEqual(1e-5);
  model.dispose();
});
