// PyTorch state_dicts in .safetensors (written from real nn.GRU modules by the fixture tool):
// discovery of every nn.GRU shape, `tfjs-gru convert` → tf.loadLayersModel → PyTorch's own
// outputs within 1e-5, `inspect`, and no tensor left behind.
import * as tf from '@tensorflow/tfjs';

import {findTorchGrus} from '../src/discovery/findTorchGrus';
import {runInspect} from '../src/cli/inspectCommand';
import {loadManifest} from '../src/fixtures/fixtures';
import {TensorSource} from '../src/io/tensorSource';
import {readSafetensorsFile} from '../src/node/formats/safetensors';
import {convertAndRun, fixtureModel} from './helpers/modelFiles';

const manifest = loadManifest();
const CASES = (manifest.pytorch_files as string[]).filter((n) => n !== 'pytorch_files/dtypes');

test('the fixture set covers 1 and 2 layers, uni- and bidirectional, with and without nn.Linear', () => {
  expect(CASES).toEqual(expect.arrayContaining(['pytorch_files/gru1', 'pytorch_files/gru2', 'pytorch_files/gru1_bidi',
    'pytorch_files/gru2_bidi_linear', 'pytorch_files/gru1_linear']));
});

describe('convert reproduces PyTorch', () => {
  test.each(CASES)('%s', async (name) => {
    const {result, maxAbsError, model, numTensorsLeft} = await convertAndRun(name);
    expect(maxAbsError).toBeLessThanOrEqual(1e-5);
    expect(result.format).toBe('safetensors');
    expect(result.loadedCheck.pass).toBe(true);
    expect(result.layers.every((l) => l.layout === 'pytorch' && l.resetAfter && l.cellType === 'torch.nn.GRU')).toBe(true);
    expect(numTensorsLeft).toBe(0);
    model.dispose();
  });
});

describe('discovery', () => {
  const open = (name: string) => readSafetensorsFile(fixtureModel(name));
  test('a bare nn.GRU state_dict (no prefix): stack (root), one layer, no dense', () => {
    const f = open('pytorch_files/gru1');
    const d = findTorchGrus(f);
    expect(d.stacks.map((s) => [s.name, s.layers.length, s.inputSize, s.outputSize, s.dense])).toEqual([['', 1, 3, 4, null]]);
    expect(d.grus[0].variables).toEqual({weight_ih_l0: 'weight_ih_l0', weight_hh_l0: 'weight_hh_l0',
      bias_ih_l0: 'bias_ih_l0', bias_hh_l0: 'bias_hh_l0'});
    expect(d.unexplained).toEqual([]);
  });
  test('2 bidirectional layers + nn.Linear: fw/bw pairs, layer 1 reads 2U, the Linear as a transposed Dense', () => {
    const d = findTorchGrus(open('pytorch_files/gru2_bidi_linear'));
    const s = d.stacks[0];
    expect(s.name).toBe('gru');
    expect(s.layers.map((l) => [l.bidirectional, l.inputSize, l.outputSize, l.cells.map((c) => c.direction)]))
        .toEqual([[true, 3, 8, ['fw', 'bw']], [true, 8, 8, ['fw', 'bw']]]);
    expect(s.layers[1].cells[1].variables.weight_ih_l0).toBe('gru.weight_ih_l1_reverse');
    expect(s.dense).toEqual({scope: 'head', inputSize: 8, units: 2, variables: {kernel: 'head.weight', bias: 'head.bias'},
      transposedKernel: true});
  });

  /** A TensorSource of names and shapes only (discovery reads no data). */
  const fake = (vars: Array<[string, number[]]>): TensorSource => ({file: 'fake.safetensors',
    variables: vars.map(([name, shape]) => ({name, dtype: 'F32', shape})), read: () => { throw new Error('no data'); }, close: () => {}});
  const gru = (p: string, d: number, u: number, sfx = '_l0') => [[`${p}weight_ih${sfx}`, [3 * u, d]], [`${p}weight_hh${sfx}`, [3 * u, u]],
    [`${p}bias_ih${sfx}`, [3 * u]], [`${p}bias_hh${sfx}`, [3 * u]]] as Array<[string, number[]]>;

  test('two Linear candidates of the right size: neither is guessed; a bias-less weight (an Embedding?) is not taken', () => {
    const two = findTorchGrus(fake([...gru('rnn.', 3, 4), ['a.weight', [2, 4]], ['a.bias', [2]], ['b.weight', [5, 4]], ['b.bias', [5]]]));
    expect(two.stacks[0].dense).toBeNull();
    expect(two.unexplained.map((v) => v.name).sort()).toEqual(['a.bias', 'a.weight', 'b.bias', 'b.weight']);
    const emb = findTorchGrus(fake([['embedding.weight', [10, 4]], ...gru('rnn.', 4, 4)]));
    expect(emb.stacks[0].dense).toBeNull();
  });
  test('an LSTM ([4U, U]) is not a GRU; a missing layer or half of the biases is the stack\'s problem', () => {
    const lstm = findTorchGrus(fake([['lstm.weight_ih_l0', [16, 3]], ['lstm.weight_hh_l0', [16, 4]]]));
    expect(lstm.stacks).toEqual([]);
    const gap = findTorchGrus(fake([...gru('g.', 3, 4), ...gru('g.', 4, 4, '_l2')]));
    expect(gap.stacks[0].problem).toMatch(/weight_ih_l1 and weight_hh_l1 are both needed/);
    const half = findTorchGrus(fake(gru('g.', 3, 4).slice(0, 3)));
    expect(half.stacks[0].problem).toMatch(/bias_ih_l0 and bias_hh_l0 must both be present or both absent/);
    const noBias = findTorchGrus(fake(gru('g.', 3, 4).slice(0, 2)));
    expect(noBias.stacks[0].problem).toBeUndefined();
    expect(Object.keys(noBias.grus[0].variables)).toEqual(['weight_ih_l0', 'weight_hh_l0']);
  });
});

test('a bias=False nn.GRU converts exactly (no bias in the layer)', async () => {
  // built from the gru1 fixture's weights, its biases left out: the reference check on the file's own tensors decides
  const {readSafetensors} = await import('../src/io/safetensors');
  const {gruStackToLayersModel} = await import('../src/gruStackModel/toLayersModel');
  const f = readSafetensorsFile(fixtureModel('pytorch_files/gru1'));
  const keep = ['weight_ih_l0', 'weight_hh_l0'];
  const header: Record<string, unknown> = {};
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const k of keep) {
    const v = f.readValues(k);
    const bytes = new Uint8Array((v.values as Float32Array).buffer.slice(0));
    header[k] = {dtype: 'F32', shape: v.shape, data_offsets: [at, at + bytes.length]};
    parts.push(bytes);
    at += bytes.length;
  }
  const text = new TextEncoder().encode(JSON.stringify(header));
  const all = new Uint8Array(8 + text.length + at);
  new DataView(all.buffer).setBigUint64(0, BigInt(text.length), true);
  all.set(text, 8);
  let o = 8 + text.length;
  for (const p of parts) { all.set(p, o); o += p.length; }
  const src = readSafetensors(all, 'nobias.safetensors');
  const before = tf.memory().numTensors;
  const {model, description} = gruStackToLayersModel(src, findTorchGrus(src));
  expect(description.check!.pass).toBe(true);
  expect(model.getWeights().length).toBe(2);
  model.dispose();
  expect(tf.memory().numTensors).toBe(before);
});

test('inspect --json: tensors with roles, the stack, the Dense note; text mode too', () => {
  let out = '';
  const io = {stdout: (t: string) => { out += t; }, stderr: (t: string) => { throw new Error(t); }};
  expect(runInspect({path: fixtureModel('pytorch_files/gru1_linear'), json: true}, io)).toBe(0);
  const r = JSON.parse(out);
  expect(r.format).toBe('safetensors');
  expect(r.details.metadata).toEqual({format: 'pt'});
  expect(r.variables.filter((v: any) => v.role === 'dense').map((v: any) => v.name).sort()).toEqual(['head.bias', 'head.weight']);
  expect(r.stacks[0]).toMatchObject({name: 'gru', layers: 1, inputSize: 4, outputSize: 5, dense: {scope: 'head', units: 3}});
  expect(r.notes.join(' ')).toMatch(/does not record the forward pass/);
  out = '';
  expect(runInspect({path: fixtureModel('pytorch_files/gru2')}, io)).toBe(0);
  expect(out).toMatch(/stack gru: 2 layer\(s\), input 3, output 4; no dense layer/);
});

test('inspect and convert of a .pt name the safetensors export', () => {
  let err = '';
  const io = {stdout: () => {}, stderr: (t: string) => { err += t; }};
  expect(runInspect({path: '/tmp/model.pt'}, io)).toBe(1);
  expect(err).toMatch(/\/tmp\/model\.pt: .*save_file\(model\.state_dict\(\), "model\.safetensors"\) \[PICKLE\]/);
});
