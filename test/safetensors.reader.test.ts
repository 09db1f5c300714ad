// The safetensors reader: every dtype against PyTorch's own conversions (fixture written from
// torch tensors), the header validation rules of the format, .pt/.pth refusal, no leaks.
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

import {readSafetensors, SafetensorsError} from '../src/io/safetensors';
import {caseTensor, loadCase} from '../src/fixtures/fixtures';
import {readSafetensorsFile} from '../src/node/formats/safetensors';
import {FIXTURES} from './helpers/checkpointBytes';

const DTYPES = path.join(FIXTURES, 'pytorch_files', 'dtypes', 'model.safetensors');

/** A safetensors file from a header object and a data buffer (header space-padded to 8 as save_file does). */
function build(header: Record<string, unknown>, data: Uint8Array | number = 0, pad = true): Uint8Array {
  let text = new TextEncoder().encode(JSON.stringify(header));
  if (pad && text.length % 8 !== 0) {
    const p = new Uint8Array(text.length + (8 - (text.length % 8))).fill(0x20);
    p.set(text);
    text = p;
  }
  const body = typeof data === 'number' ? new Uint8Array(data) : data;
  const out = new Uint8Array(8 + text.length + body.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(body, 8 + text.length);
  return out;
}

function fault(bytes: Uint8Array): SafetensorsError {
  try {
    readSafetensors(bytes, 'x.safetensors');
  } catch (e) {
    expect(e).toBeInstanceOf(SafetensorsError);
    expect((e as SafetensorsError).file).toBe('x.safetensors');
    return e as SafetensorsError;
  }
  throw new Error('expected a SafetensorsError');
}

describe('dtypes: what PyTorch gives converting each to float32 / int32', () => {
  const c = loadCase('pytorch_files/dtypes');
  const file = readSafetensorsFile(DTYPES);
  afterAll(() => file.close());

  test.each(['f32', 'f16', 'bf16', 'i64', 'i32', 'i16', 'i8', 'u8'])('%s', (name) => {
    const before = tf.memory().numTensors;
    const got = file.read(name);
    const want = caseTensor(c, `want_${name}`);
    expect(got.shape).toEqual(want.shape);
    expect(Array.from(got.dataSync())).toEqual(Array.from(want.dataSync()));
    tf.dispose([got, want]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('bool', () => {
    const got = file.read('bool');
    expect(got.dtype).toBe('bool');
    expect(Array.from(got.dataSync())).toEqual(Array.from(caseTensor(c, 'want_bool').dataSync()));
  });

  test('F64 is refused unless rounding is asked for; readValues keeps it exact', () => {
    expect(() => file.read('f64')).toThrow(/tensor 'f64' is F64, which tfjs does not have; read it with \{float64: 'round'\}/);
    const got = file.read('f64', {float64: 'round'});
    expect(Array.from(got.dataSync())).toEqual(Array.from(caseTensor(c, 'want_f64').dataSync()));
    const exact = file.readValues('f64');
    expect(exact.values).toBeInstanceOf(Float64Array);
    const want = caseTensor(c, 'want_f64').dataSync();
    exact.values.forEach((v, i) => expect(Math.fround(v)).toBe(want[i]));
  });

  test('an empty tensor, the metadata, the file order, tensors() as a state_dict record', () => {
    expect(file.metadata).toEqual({format: 'pt', note: 'dtypes'});
    expect(file.entry('empty').end - file.entry('empty').begin).toBe(0);
    expect(file.read('empty').shape).toEqual([0, 3]);
    const before = tf.memory().numTensors;
    const all = file.tensors({float64: 'round'});
    expect(Object.keys(all).sort()).toEqual(file.variables.map((v) => v.name).sort());
    expect(tf.memory().numTensors).toBe(before + file.variables.length);
    tf.dispose(Object.values(all));
    expect(() => file.tensors()).toThrow(/F64/);  // refuses, and disposes what it had read
    expect(tf.memory().numTensors).toBe(before);
  });
});

test('a state_dict: tensors() gives PyTorch names and shapes', () => {
  const f = readSafetensorsFile(path.join(FIXTURES, 'pytorch_files', 'gru2_bidi_linear', 'model.safetensors'));
  const sd = f.tensors();
  expect(sd['gru.weight_ih_l1_reverse'].shape).toEqual([12, 8]);
  expect(sd['head.weight'].shape).toEqual([2, 8]);
  tf.dispose(Object.values(sd));
  f.close();
  expect(() => f.read('head.bias')).toThrow(/closed/);
});

describe('header validation (the format\'s rules)', () => {
  const t = (dtype: string, shape: number[], a: number, b: number) => ({dtype, shape, data_offsets: [a, b]});
  test('a valid two-tensor file opens', () => {
    const f = readSafetensors(build({a: t('F32', [2], 0, 8), b: t('I32', [1], 8, 12)}, 12));
    expect(f.variables.map((v) => v.name)).toEqual(['a', 'b']);
  });
  test.each<[string, () => Uint8Array, string, RegExp]>([
    ['shorter than the length prefix', () => new Uint8Array(5), 'TRUNCATED', /5 byte\(s\)/],
    ['header longer than the file', () => build({a: t('F32', [1], 0, 4)}, 4).slice(0, 20), 'TRUNCATED', /header length says \d+ bytes, but only 12/],
    ['header length over the limit', () => { const b = new Uint8Array(16); new DataView(b.buffer).setBigUint64(0, BigInt(200000000), true); return b; },
      'HEADER_TOO_LARGE', /200000000 exceeds the format's limit of 100000000/],
    ['not JSON', () => { const b = build({}, 0); b.set(new TextEncoder().encode('{nope'), 8); return b; }, 'BAD_HEADER', /not valid JSON/],
    ['not starting with {', () => { const b = build({a: 1}); b[8] = 0x20; return b; }, 'BAD_HEADER', /must start with '\{'/],
    ['not UTF-8', () => { const b = build({a: 'xx'}); b[12] = 0xff; return b; }, 'BAD_HEADER', /not valid UTF-8/],
    ['unknown dtype', () => build({a: t('F12', [1], 0, 4)}, 4), 'BAD_ENTRY', /tensor 'a': dtype "F12" is not a safetensors dtype/],
    ['shape not integers', () => build({a: t('F32', [1.5], 0, 4)}, 4), 'BAD_ENTRY', /shape must be a list of non-negative integers/],
    ['offsets reversed', () => build({a: t('F32', [1], 4, 0)}, 4), 'BAD_ENTRY', /data_offsets must be \[begin, end\]/],
    ['size mismatch', () => build({a: t('F32', [2], 0, 4)}, 4), 'BAD_ENTRY', /F32 \[2\] needs 8 bytes, data_offsets \[0, 4\] hold 4/],
    ['past the buffer', () => build({a: t('F32', [2], 0, 8)}, 4), 'TRUNCATED', /reach past the 4-byte buffer/],
    ['overlap', () => build({a: t('F32', [2], 0, 8), b: t('F32', [1], 4, 8)}, 8), 'BAD_OFFSETS', /overlaps the tensor before it/],
    ['hole', () => build({a: t('F32', [1], 0, 4), b: t('F32', [1], 8, 12)}, 12), 'BAD_OFFSETS', /a hole of 4 byte\(s\) before tensor 'b'/],
    ['trailing bytes', () => build({a: t('F32', [1], 0, 4)}, 8), 'BAD_OFFSETS', /end at buffer offset 4, but the buffer holds 8/],
    ['metadata not strings', () => build({__metadata__: {a: 1}}), 'BAD_HEADER', /__metadata__ must map strings to strings/],
  ])('%s', (_, make, code, message) => {
    const e = fault(make());
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  test('an F8 tensor is listed but not decoded; a missing name is NO_SUCH_TENSOR', () => {
    const f = readSafetensors(build({q: t('F8_E4M3', [4], 0, 4)}, 4), 'q.safetensors');
    expect(f.variables).toEqual([{name: 'q', dtype: 'F8_E4M3', shape: [4]}]);
    expect(() => f.read('q')).toThrow(expect.objectContaining({code: 'UNSUPPORTED_DTYPE'}));
    expect(() => f.read('nope')).toThrow(expect.objectContaining({code: 'NO_SUCH_TENSOR'}));
  });

  test('I64 values beyond int32 are refused by read(), naming the element', () => {
    const d = new Uint8Array(8);
    new DataView(d.buffer).setBigInt64(0, BigInt(2) ** BigInt(40), true);
    const f = readSafetensors(build({big: t('I64', [1], 0, 8)}, d));
    expect(() => f.read('big')).toThrow(/element 0 = 1099511627776 does not fit tfjs's int32/);
  });
});

describe('PyTorch pickles are refused with the export to run', () => {
  const hint = /from safetensors\.torch import save_file; save_file\(model\.state_dict\(\), "model\.safetensors"\)/;
  test('by name: .pt / .pth', () => {
    for (const p of ['/tmp/model.pt', '/tmp/weights.PTH']) {
      expect(() => readSafetensorsFile(p)).toThrow(expect.objectContaining({code: 'PICKLE', file: p}));
      expect(() => readSafetensorsFile(p)).toThrow(hint);
    }
  });
  test('by content: a torch.save zip or a bare pickle named .safetensors', () => {
    const zip = new Uint8Array(64);
    zip.set([0x50, 0x4b, 0x03, 0x04]);
    const pickle = new Uint8Array(64);
    pickle.set([0x80, 0x02, 0x8a, 0x0a]);
    for (const b of [zip, pickle]) {
      const e = fault(b);
      expect(e.code).toBe('PICKLE');
      expect(e.message).toMatch(hint);
    }
  });
  test('a missing file is NOT_FOUND', () => {
    expect(() => readSafetensorsFile('/nope/model.safetensors')).toThrow(expect.objectContaining({code: 'NOT_FOUND'}));
  });
  test('a header length whose first byte is 0x80 (a pickle\'s protocol-2 opcode) is not mistaken for a pickle', () => {
    const json = JSON.stringify({a: {dtype: 'U8', shape: [3], data_offsets: [0, 3]}});
    const text = new TextEncoder().encode(json.padEnd(0x280, ' '));  // length bytes 0x80 0x02 ...
    const b = new Uint8Array(8 + text.length + 3);
    new DataView(b.buffer).setBigUint64(0, BigInt(text.length), true);
    b.set(text, 8);
    expect([b[0], b[1]]).toEqual([0x80, 0x02]);
    expect(readSafetensors(b).variables).toEqual([{name: 'a', dtype: 'U8', shape: [3]}]);
  });
});
