// Names from other code bases: a g2p-en-like .npz (same names and layout as g2p-en's
// checkpoint20.npz, made by tools/pytorch_npz_fixtures.py with PyTorch) read like a
// safetensors file, renamed by a key map (CLI --rename, API option rename), converted and
// run: equal to torch.nn.GRU and to g2p-en's numpy cell. "No GRU found" names what looks
// like one and the key map that would fix it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import '../src';
import {applyKeyMap, KeyMapError, parseKeyMap} from '../src/io/keyMap';
import {NpzError, readNpz} from '../src/io/npz';
import {ModelFileError} from '../src/io/modelFileError';
import {fromPytorchGru} from '../src/layers/fromPytorchGru';
import {caseTensor, loadCase} from '../src/fixtures/fixtures';
import {convertModelFileToDir} from '../src/node/convertModelFile';
import {readNpzFile} from '../src/node/formats/npz';
import {loadLayersModelFromDir} from '../src/node/layersModelFiles';
import {openModelFile} from '../src/node/modelFormats';
import {runThroughPipe} from './helpers/cli';

const c = loadCase('pytorch_npz/g2p_like');
const NPZ = path.join(c.dir, 'checkpoint20.npz');
const NPZ_DEFLATED = path.join(c.dir, 'checkpoint20_compressed.npz');
const ENC_MAP = 'enc_w_*=enc.weight_*_l0,enc_b_*=enc.bias_*_l0';
const SUGGESTED = 'enc_w_ih=enc.weight_ih_l0,enc_w_hh=enc.weight_hh_l0,enc_b_ih=enc.bias_ih_l0,enc_b_hh=enc.bias_hh_l0,' +
    'dec_w_ih=dec.weight_ih_l0,dec_w_hh=dec.weight_hh_l0,dec_b_ih=dec.bias_ih_l0,dec_b_hh=dec.bias_hh_l0';
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-npz-'));
afterAll(() => fs.rmSync(tmp, {recursive: true, force: true}));

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  expect(a.shape).toEqual(b.shape);
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

describe('readNpz', () => {
  test.each([NPZ, NPZ_DEFLATED])('%s: the arrays g2p-en holds, with their shapes and values', (file) => {
    const f = readNpzFile(file);
    expect(Object.fromEntries(f.variables.map((v) => [v.name, v.shape]))).toEqual(c.config.arrays);
    expect(f.variables.every((v) => v.dtype === 'float32')).toBe(true);
    // the embedded input the fixture tool computed with numpy from the same arrays: enc_emb[tokens]
    const before = tf.memory().numTensors;
    const emb = f.read('enc_emb');
    const tokens = caseTensor(c, 'tokens');
    const x = caseTensor(c, 'x');
    const gathered = tf.gather(emb, tokens);
    expect(maxDiff(gathered, x)).toBe(0);
    tf.dispose([emb, tokens, x, gathered]);
    expect(tf.memory().numTensors).toBe(before);
    f.close();
    expect(() => f.read('enc_emb')).toThrow(/after close/);
  });

  test('faults are typed errors naming the file and the fault', () => {
    const bytes = new Uint8Array(fs.readFileSync(NPZ));
    const expectCode = (b: Uint8Array, code: string, msg: RegExp) => {
      let err: unknown;
      try { readNpz(b, 'bad.npz'); } catch (e) { err = e; }
      expect(err).toBeInstanceOf(NpzError);
      expect((err as NpzError).code).toBe(code);
      expect((err as Error).message).toMatch(msg);
    };
    expectCode(bytes.subarray(0, 200), 'BAD_ZIP', /^bad\.npz: /);
    expectCode(new TextEncoder().encode('{"not": "a zip"}'), 'BAD_ZIP', /not a zip file/);
    const flipped = bytes.slice();
    flipped[400] ^= 0xff;  // inside the first stored array's data
    expectCode(flipped, 'BAD_ZIP', /CRC-32 .* the central directory says/);
    expect(() => readNpzFile(path.join(tmp, 'nope.npz'))).toThrow(/nope\.npz: no such file/);
  });
});

describe('key maps', () => {
  test('exact and pattern entries, text and object forms', () => {
    const names = ['enc_w_ih', 'enc_w_hh', 'enc_b_ih', 'fc_w'];
    expect([...applyKeyMap(names, ENC_MAP + ',fc_w=fc.weight')]).toEqual([
      ['enc_w_ih', 'enc.weight_ih_l0'], ['enc_w_hh', 'enc.weight_hh_l0'], ['enc_b_ih', 'enc.bias_ih_l0'], ['fc_w', 'fc.weight']]);
    expect([...applyKeyMap(names, {enc_w_ih: 'x', 'enc_b_*': 'b*'})].filter(([a, b]) => a !== b))
        .toEqual([['enc_w_ih', 'x'], ['enc_b_ih', 'bih']]);
    expect(parseKeyMap(' a = b ,c*=d* ')).toEqual([{from: 'a', to: 'b', pattern: false}, {from: 'c*', to: 'd*', pattern: true}]);
  });

  test.each([
    ['a', /'a': expected 'from=to'/],
    ['a=b=c', /expected 'from=to'/],
    ['a*b*=c', /at most one '\*'/],
    ['a=b*', /a '\*' on the right needs one on the left/],
  ])('malformed %j', (map, message) => {
    expect(() => parseKeyMap(map)).toThrow(KeyMapError);
    expect(() => parseKeyMap(map)).toThrow(message);
  });

  test.each([
    ['nope=x', /renames 'nope', which is not among the tensors \(enc_w_ih, enc_w_hh\)/],
    ['zz_*=x*', /pattern\(s\) 'zz_\*' match no tensor/],
    ['enc_w_ih=enc_w_hh', /gives 'enc_w_ih' and 'enc_w_hh' the same name 'enc_w_hh'/],
    ['enc_*=a*,*_hh=b*', /'enc_w_hh' matches 2 key map patterns/],
  ])('not fitting the names: %j', (map, message) => {
    expect(() => applyKeyMap(['enc_w_ih', 'enc_w_hh'], map)).toThrow(message);
  });
});

describe('inspect and convert a g2p-en-like .npz', () => {
  test('without a key map: no GRU, and the GRU-shaped tensors with the key map that names them', () => {
    const ins = runThroughPipe(['inspect', NPZ]);
    expect(ins.code).toBe(0);
    expect(ins.stdout).toMatch(/^npz: .*checkpoint20\.npz \(12 tensors\)/);
    expect(ins.stdout).toContain('GRUs: none found');
    expect(ins.stdout).toContain('enc_w_ih [48, 16], enc_w_hh [48, 16], enc_b_ih [48], enc_b_hh [48]');
    expect(ins.stdout).toContain(`--rename '${SUGGESTED}'`);
    const conv = runThroughPipe(['convert', NPZ, '--out', path.join(tmp, 'none')]);
    expect(conv.code).toBe(1);
    expect(conv.stderr).toMatch(/no GRU found among 12 variable\(s\).*tensors shaped like a GRU's: .*enc_w_hh \[48, 16\].*--rename 'enc_w_ih=enc\.weight_ih_l0,.*\[NO_GRU\]/);
    expect(fs.existsSync(path.join(tmp, 'none', 'model.json'))).toBe(false);
  });

  test('inspect --rename (pattern form) finds the encoder GRU', () => {
    const r = runThroughPipe(['inspect', NPZ, '--rename', ENC_MAP, '--json']);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.grus).toEqual([expect.objectContaining({stack: 'enc', inputSize: 16, units: 16, layout: 'pytorch'})]);
  });

  test.each([NPZ, NPZ_DEFLATED])('convert %s --rename: the model reproduces torch.nn.GRU and g2p-en\'s numpy cell', async (file) => {
    const out = path.join(tmp, path.basename(file, '.npz'));
    const r = runThroughPipe(['convert', file, '--rename', ENC_MAP, '--out', out, '--json'], {TFJS_GRU_BACKEND: 'wasm'});
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toMatchObject({format: 'npz', loadedCheck: {pass: true}});
    const before = tf.memory().numTensors;
    const model = await loadLayersModelFromDir(out);
    const x = caseTensor(c, 'x');
    const y = model.predict(x) as tf.Tensor3D;
    const want = caseTensor(c, 'enc_output');
    expect(maxDiff(y, want)).toBeLessThanOrEqual(1e-5);
    const last = tf.tidy(() => tf.squeeze(tf.slice(y, [0, c.config.time - 1, 0], [-1, 1, -1]), [1]));
    const numpyH = caseTensor(c, 'numpy_enc_h');
    expect(maxDiff(last, numpyH)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, y, want, last, numpyH]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the API takes the same key map; formats that find GRUs otherwise refuse it', async () => {
    const res = await convertModelFileToDir(NPZ, path.join(tmp, 'api'), {rename: {enc_w_ih: 'weight_ih_l0', enc_w_hh: 'weight_hh_l0',
      enc_b_ih: 'bias_ih_l0', enc_b_hh: 'bias_hh_l0'}});
    expect(res.loadedCheck.pass).toBe(true);
    expect(res.layers).toHaveLength(1);
    const ckpt = path.join(__dirname, '..', 'fixtures', 'checkpoints', 'tf1_single');
    const err = (() => { try { openModelFile(ckpt, {rename: 'a=b'}); } catch (e) { return e; } })() as ModelFileError;
    expect(err).toBeInstanceOf(ModelFileError);
    expect([err.code, err.message]).toEqual(['BAD_OPTION', expect.stringMatching(/key map \(rename\) applies to \.safetensors and \.npz/)]);
  });
});

describe('fromPytorchGru with a key map', () => {
  test('g2p-en\'s decoder from the .npz: output and h_n equal torch.nn.GRU, logits equal fc', () => {
    const f = readNpzFile(NPZ);
    const before = tf.memory().numTensors;
    const dict = Object.fromEntries(f.variables.map((v) => [v.name, f.read(v.name)]));
    const g = fromPytorchGru(dict, {numLayers: 1, batchFirst: true, prefix: 'dec.',
      rename: 'enc_w_*=enc.weight_*_l0,enc_b_*=enc.bias_*_l0,dec_w_*=dec.weight_*_l0,dec_b_*=dec.bias_*_l0'});
    const [x, h0] = [caseTensor(c, 'dec_x'), caseTensor(c, 'enc_h_n')];
    const {output, hN} = g.run(x as tf.Tensor3D, h0 as tf.Tensor3D);
    const [wantOut, wantH] = [caseTensor(c, 'dec_output'), caseTensor(c, 'dec_h_n')];
    expect(maxDiff(output, wantOut)).toBeLessThanOrEqual(1e-5);
    expect(maxDiff(hN, wantH)).toBeLessThanOrEqual(1e-5);
    const wantLogits = caseTensor(c, 'logits');
    const logits = tf.tidy(() => tf.reshape(tf.add(tf.matMul(tf.reshape(output, [-1, 16]), dict.fc_w, false, true), dict.fc_b),
                                            wantLogits.shape));
    expect(maxDiff(logits, wantLogits)).toBeLessThanOrEqual(1e-5);
    tf.dispose([x, h0, output, hN, wantOut, wantH, logits, wantLogits]);
    g.model.dispose();
    tf.dispose(Object.values(dict));
    expect(tf.memory().numTensors).toBe(before);
    f.close();
  });

  test('without one: the error lists the GRU-shaped tensors and the key map to pass', () => {
    const f = readNpzFile(NPZ);
    const dict = Object.fromEntries(f.variables.map((v) => [v.name, f.read(v.name)]));
    expect(() => fromPytorchGru(dict, {numLayers: 1})).toThrow(
        new RegExp(`no nn.GRU weights .*Shaped like a GRU's: .*enc_w_ih \\[48, 16\\].*rename: '${SUGGESTED.replace(/[.]/g, '\\.')}'`));
    tf.dispose(Object.values(dict));
    f.close();
  });
});
