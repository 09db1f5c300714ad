// Checkpoint → tfjs LayersModel on every fixture checkpoint: the folder that convert
// writes, loaded with tf.loadLayersModel, reproduces the outputs TensorFlow computed.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import '../src';
import {readCheckpointFromBytes} from '../src/io/checkpoint';
import {ConversionError} from '../src/io/modelFileError';
import {checkpointToLayersModel} from '../src/gruStackModel/toLayersModel';
import {findGrus} from '../src/discovery/findGrus';
import {caseTensor, loadCase} from '../src/fixtures/fixtures';
import {convertModelFileToDir} from '../src/node/convertModelFile';
import {loadLayersModelFromDir} from '../src/node/layersModelFiles';
import {readCheckpoint} from '../src/node/readCheckpoint';
import {buildTable, ckptPrefix, entriesOf, FIXTURES, readFixtureBytes} from './helpers/checkpointBytes';

const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8'));
const CASES: string[] = manifest.checkpoints.map((c: string) => c.replace(/^checkpoints\//, ''));
const RESET_BEFORE = new Set(['tf1_single', 'tf0_names', 'tf10_names', 'tf1_multi_dense', 'tf1_bidi', 'tf1_stack_bidi_dense',
  'tf1_multi3_sharded', 'tf1_block_cell', 'tf1_block_cell_swapped', 'tf1_adam_dtypes', 'tf1_partitioned']);

function expectedName(c: {config: Record<string, any>}): string {
  return c.config.expected ?? (c.config.dense != null ? 'logits' : 'outputs');
}

async function convertAndCompare(name: string, layers: 'builtin' | 'tfjs-gru') {
  const c = loadCase(`checkpoints/${name}`, FIXTURES);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), `tfjs-gru-conv-${name}-`));
  const before = tf.memory().numTensors;
  const result = await convertModelFileToDir(ckptPrefix(name), out, {layers});
  expect(tf.memory().numTensors).toBe(before);
  expect(result.check!.pass).toBe(true);
  expect(result.loadedCheck.maxAbsError).toBeLessThanOrEqual(1e-5);
  expect(fs.readdirSync(out).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
  const model = await loadLayersModelFromDir(out);
  const x = caseTensor(c, 'x');
  const want = caseTensor(c, expectedName(c));
  const got = model.predict(x) as tf.Tensor;
  expect(got.shape).toEqual(want.shape);
  const err = tf.tidy(() => tf.max(tf.abs(tf.sub(got, want))).dataSync()[0]);
  tf.dispose([x, want, got]);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
  return {result, err, model: JSON.parse(fs.readFileSync(path.join(out, 'model.json'), 'utf8'))};
}

describe('convert: every fixture checkpoint reproduces TensorFlow\'s outputs within 1e-5', () => {
  test.each(CASES)('%s (built-in tfjs GRU for reset-before cells)', async (name) => {
    const {result, err, model} = await convertAndCompare(name, 'builtin');
    expect(err).toBeLessThanOrEqual(1e-5);
    const classes = JSON.stringify(model.modelTopology);
    if (RESET_BEFORE.has(name)) {
      // loads with plain @tensorflow/tfjs: only tfjs's own classes
      expect(result.needsTfjsGru).toBe(false);
      expect(classes).not.toMatch(/KerasGRU|TF1GRU/);
      expect(classes).toMatch(/"recurrent_activation":"sigmoid"/);
    } else {
      expect(result.needsTfjsGru).toBe(true);
      expect(classes).toMatch(/KerasGRU/);
    }
  });

  test.each([...RESET_BEFORE])('%s with --layers tfjs-gru (TF1GRU layers)', async (name) => {
    const {result, err, model} = await convertAndCompare(name, 'tfjs-gru');
    expect(err).toBeLessThanOrEqual(1e-5);
    expect(result.needsTfjsGru).toBe(true);
    expect(JSON.stringify(model.modelTopology)).toMatch(/TF1GRU/);
  });

  test('structure: stacks, bidirectional concat fw first, dense at every step', async () => {
    const {result} = await convertAndCompare('tf1_stack_bidi_dense', 'builtin');
    expect(result.layers.map((l) => [l.className, l.inputSize, l.units])).toEqual([
      ['Bidirectional(GRU)', 3, 3], ['Bidirectional(GRU)', 6, 3]]);
    expect(result.layers[0].scopes).toEqual(['stack_bidirectional_rnn/cell_0/bidirectional_rnn/fw/gru_cell',
      'stack_bidirectional_rnn/cell_0/bidirectional_rnn/bw/gru_cell']);
    expect(result.dense).toEqual({scope: 'dense', inputSize: 6, units: 2, activation: 'linear'});
    expect(result.outputShape).toEqual([null, null, 2]);
  });
});

describe('library call on bytes (browser-safe path)', () => {
  test('checkpointToLayersModel on a bytes-opened checkpoint, tidy', () => {
    const {index, shards} = readFixtureBytes('tf1_cudnn_compatible');
    const ck = readCheckpointFromBytes({index, shards});
    const before = tf.memory().numTensors;
    const {model, description} = checkpointToLayersModel(ck);
    expect(description.check!.pass).toBe(true);
    expect(description.layers[0].cellType).toBe('CudnnCompatibleGRUCell');
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('a checkpoint with no GRU says what it holds', () => {
    const {index, shards} = readFixtureBytes('tf1_adam_dtypes');
    const entries = entriesOf(index).filter((e) => !/gru_cell|dense/.test(Buffer.from(e.key).toString()));
    const ck = readCheckpointFromBytes({index: buildTable(entries), shards, prefix: 'nogru'});
    expect(findGrus(ck).grus).toEqual([]);
    let err: unknown;
    try {
      checkpointToLayersModel(ck);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConversionError);
    expect((err as ConversionError).code).toBe('NO_GRU');
    expect((err as ConversionError).message).toMatch(/no GRU found among \d+ variable\(s\): beta1_power float32\[\]/);
  });
});

afterAll(() => {
  void readCheckpoint;
});
