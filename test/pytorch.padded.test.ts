// Padded PyTorch batches: fromPytorchGru(...).run(x, h0, {lengths}) and {mask} give what
// PyTorch gives for pack_padded_sequence(x, lengths, enforce_sorted=False) → gru → 
// pad_packed_sequence (tools/pytorch_padded_fixtures.py, Debian's python3-torch): outputs
// zero past each length, h_n at each sequence's last valid step, every layer, both directions.
import * as tf from '@tensorflow/tfjs';

import {fromPytorchGru} from '../src';
import {caseTensor, FixtureCase, hasTensor, loadCase, loadManifest} from '../src/fixtures/fixtures';

const TOL = 1e-5;
const cases = loadManifest().pytorch_padded as string[];

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function build(c: FixtureCase) {
  const sd: Record<string, tf.Tensor> = {};
  for (const k of c.config.state_dict as string[]) sd[k] = caseTensor(c, k);
  const g = fromPytorchGru(sd, {numLayers: c.config.num_layers, bidirectional: c.config.bidirectional,
    batchFirst: c.config.batch_first});
  tf.dispose(Object.values(sd));
  return g;
}

/** A mask in x's layout, 1 on each sequence's valid steps. */
function maskOf(lengths: number[], time: number, batchFirst: boolean): tf.Tensor2D {
  const rows = lengths.map((n) => Array.from({length: time}, (_, t) => (t < n ? 1 : 0)));
  return tf.tidy(() => (batchFirst ? tf.tensor2d(rows) : tf.transpose(tf.tensor2d(rows))) as tf.Tensor2D);
}

test('there are padded cases, uni- and bidirectional, several layers, both layouts', () => {
  const cfgs = cases.map((n) => loadCase(n).config);
  expect(cfgs.some((c) => c.bidirectional && c.num_layers > 1)).toBe(true);
  expect(cfgs.some((c) => !c.bidirectional && c.num_layers > 2)).toBe(true);
  expect(new Set(cfgs.map((c) => c.batch_first))).toEqual(new Set([true, false]));
  // every case has a sequence shorter than T: padding matters
  expect(cfgs.every((c) => (c.lengths as number[]).some((n) => n < c.time))).toBe(true);
});

describe.each(cases)('%s', (name) => {
  const c = loadCase(name);
  const cfg = c.config;
  const lengths = cfg.lengths as number[];

  test.each(['lengths (numbers)', 'lengths (tensor)', 'mask'])('run(x, h0, {%s}) == packed PyTorch', (form) => {
    const before = tf.memory().numTensors;
    const g = build(c);
    const x = caseTensor(c, 'x') as tf.Tensor3D;
    const h0 = hasTensor(c, 'h0') ? caseTensor(c, 'h0') as tf.Tensor3D : undefined;
    const lengthsTensor = caseTensor(c, 'lengths') as tf.Tensor1D;
    const mask = maskOf(lengths, cfg.time, cfg.batch_first);
    const opts = form === 'mask' ? {mask} : form === 'lengths (tensor)' ? {lengths: lengthsTensor} : {lengths};
    const {output, hN} = g.run(x, h0, opts);
    const [wantOut, wantH] = [caseTensor(c, 'output'), caseTensor(c, 'h_n')];
    expect(maxDiff(output, wantOut)).toBeLessThanOrEqual(TOL);
    expect(maxDiff(hN, wantH)).toBeLessThanOrEqual(TOL);
    // padding is exactly zero, as pad_packed_sequence writes it
    const o = output.arraySync() as number[][][];
    lengths.forEach((n, b) => {
      for (let t = n; t < cfg.time; t++) {
        const row = cfg.batch_first ? o[b][t] : o[t][b];
        expect(row.every((v) => v === 0)).toBe(true);
      }
    });
    // without the lengths the padded steps are run as data: h_n differs (the fixture can tell)
    const full = g.run(x, h0);
    expect(maxDiff(full.hN, wantH)).toBeGreaterThan(1e-3);
    tf.dispose([x, h0, lengthsTensor, mask, output, hN, wantOut, wantH, full.output, full.hN].filter((t) => t != null) as tf.Tensor[]);
    g.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

test('lengths and masks that packing cannot express are refused, naming the sequence', () => {
  const c = loadCase(cases[0]);
  const cfg = c.config;
  const g = build(c);
  const x = caseTensor(c, 'x') as tf.Tensor3D;
  const before = tf.memory().numTensors;
  const B = cfg.batch;
  const T = cfg.time;
  const some = (n: number) => Array.from({length: B}, (_, b) => (b === 1 ? n : T));
  expect(() => g.run(x, undefined, {lengths: some(0)})).toThrow(/length of sequence 1 is 0; expected a whole number in 1\.\.6/);
  expect(() => g.run(x, undefined, {lengths: some(T + 1)})).toThrow(/length of sequence 1 is 7/);
  expect(() => g.run(x, undefined, {lengths: [1]})).toThrow(/lengths has 1 entries, x has batch 4/);
  const holes = tf.tensor2d(Array.from({length: B}, (_, b) => Array.from({length: T}, (_, t) => (b === 2 && t === 1 ? 0 : 1))));
  expect(() => g.run(x, undefined, {mask: holes})).toThrow(/mask row 2 has a valid step 2 after the padding that starts at step 1/);
  const wrong = tf.ones([T, B]) as tf.Tensor2D;
  expect(() => g.run(x, undefined, {mask: wrong})).toThrow(/mask must have x's layout \[batch, time\] = \[4,6\], got \[6,4\]/);
  expect(() => g.run(x, undefined, {lengths: some(T), mask: holes})).toThrow(/lengths or mask, not both/);
  tf.dispose([holes, wrong]);
  expect(tf.memory().numTensors).toBe(before);
  tf.dispose(x);
  g.model.dispose();
});
