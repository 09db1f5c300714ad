// Whole Keras models the converter must refuse (fixtures/keras_models, written by tf-keras 2.21 and
// Keras 3.15): a Lambda, a custom layer, Keras 3's hard_sigmoid / Subtract / ELU(alpha≠1) together,
// a masked Bidirectional(LSTM, return_sequences), BatchNormalization on a middle axis: one
// ConversionError naming every refused layer and why, nothing written, no leaks. A truncated file
// is a typed error naming the file.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {ConversionError, ModelFileError} from '../src/io/modelFileError';
import {loadCase, loadManifest} from '../src/fixtures/fixtures';
import {convertModelFileToDir} from '../src/node/convertModelFile';

const refusals = ((loadManifest() as any).keras_models as string[]).filter((c) => loadCase(c).config.refused != null);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-keras-refused-'));
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

const REASONS: Record<string, RegExp> = {
  lambda: /double \(Lambda\): a Lambda layer holds Python code/,
  custom_layer: /scale \(Scale\): Scale( \(module [^)]*\))? is a custom layer or one tfjs-layers does not implement/,
  several_refusals: /hs_dense \(Dense\): activation: Keras 3's hard_sigmoid[^\n]*\n\s+sub \(Subtract\): tfjs-layers has no Subtract layer\n\s+elu \(ELU\): alpha=0\.7/,
  masked_bidi_lstm: /bidi_lstm\/(forward_)?lstm(_\d+)? \(LSTM\): a mask reaches it and Keras writes zeros at masked steps/,
  bn_axis1: /bn1 \(BatchNormalization\): axis 1 of a rank-3 input/,
  bilinear_upsampling: /up \(UpSampling2D\): interpolation 'bilinear': tfjs-layers' UpSampling2D samples without half-pixel centers/,
  masked_add: /masked_add \(Add\): a mask reaches it: tfjs-layers' Add computes the output mask wrongly/,
};

test('the refusal fixtures are there for both frameworks', () => {
  expect(refusals).toEqual(expect.arrayContaining(['keras_models/tf_keras/lambda', 'keras_models/keras3/lambda',
    'keras_models/tf_keras/custom_layer', 'keras_models/keras3/custom_layer', 'keras_models/keras3/several_refusals']));
});

describe('one error naming every refused layer, nothing written', () => {
  test.each(refusals)('%s', async (name) => {
    const c = loadCase(name);
    const file = path.join(c.dir, c.config.file);
    const out = path.join(tmp, name.replace(/\//g, '_'));
    const before = tf.memory().numTensors;
    const err = await convertModelFileToDir(file, out).catch((e) => e);
    expect(err).toBeInstanceOf(ConversionError);
    expect(err.code).toBe('UNSUPPORTED');
    expect(err.message).toContain(file);
    for (const layer of c.config.refused as string[]) expect(err.message).toContain(`${layer}`);
    expect(err.message).toMatch(REASONS[path.basename(name)]);
    expect(err.message.match(/^  \S/gm)?.length).toBe((c.config.refused as string[]).length);  // one line per refused layer
    expect(fs.existsSync(path.join(out, 'model.json'))).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });
});

test('a truncated .keras and .h5: a typed error naming the file', async () => {
  for (const name of ['keras_models/keras3/conv_bn_gru_ln_bidi', 'keras_models/tf_keras/conv_bn_gru_ln_bidi']) {
    const c = loadCase(name);
    const bytes = fs.readFileSync(path.join(c.dir, c.config.file));
    const cut = path.join(tmp, `cut_${path.basename(path.dirname(name))}_${c.config.file}`);
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    const err = await convertModelFileToDir(cut, path.join(tmp, 'cut_out')).catch((e) => e);
    expect(err).toBeInstanceOf(ModelFileError);
    expect(err.message).toContain(cut);
    expect(['TRUNCATED', 'BAD_ZIP', 'BAD_HDF5']).toContain(err.code);
  }
});
