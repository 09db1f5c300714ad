// The fixture reader names the file and what is wrong with it.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import * as tf from '@tensorflow/tfjs';

import {fetchFixtures, fixturesFromBytes, loadCase, loadCaseFrom, loadManifest} from '../src/fixtures/fixtures';
import {parseNpy} from '../src/fixtures/npy';
import {verify} from '../src/node/verify';
import {verifyFixtures} from '../src/verify/verify';

/** A .npy v1.0 file of little-endian float32 values. */
function npy(shape: number[], values: number[]): Buffer {
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  while ((10 + header.length + 1) % 64 !== 0) header += ' ';
  header += '\n';
  const head = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(head, 0);
  head[6] = 1;
  head[7] = 0;
  head.writeUInt16LE(header.length, 8);
  const data = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => data.writeFloatLE(v, i * 4));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

function tempFixtures(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-fixtures-'));
  fs.mkdirSync(path.join(root, 'tf1', 'c'), {recursive: true});
  fs.writeFileSync(path.join(root, 'manifest.json'), JSON.stringify({format: 1, versions: {}, cases: ['tf1/c']}));
  fs.writeFileSync(path.join(root, 'tf1', 'c', 'case.json'), JSON.stringify({
    name: 'tf1/c', kind: 'tf1', config: {},
    tensors: {x: {file: 'x.npy', shape: [2, 2], dtype: 'float32'}},
  }));
  fs.writeFileSync(path.join(root, 'tf1', 'c', 'x.npy'), npy([2, 2], [1, 2, 3, 4]));
  return root;
}

describe('npy reader', () => {
  test('reads float32 exactly', () => {
    const a = parseNpy(npy([3], [0.1, -2.5, 1e-8]), 'a.npy');
    expect(a.shape).toEqual([3]);
    expect(Array.from(a.data)).toEqual(Array.from(new Float32Array([0.1, -2.5, 1e-8])));
  });

  test('a truncated file names the file, the shape and the byte counts', () => {
    const bytes = npy([2, 3], [1, 2, 3, 4, 5, 6]);
    expect(() => parseNpy(bytes.subarray(0, bytes.length - 5), 'cut.npy'))
        .toThrow('cut.npy: not a valid .npy file: shape [2,3] needs 24 bytes of data, the file has 19 (truncated)');
  });

  test('wrong magic and wrong dtype', () => {
    expect(() => parseNpy(Buffer.from('hello world, not npy'), 'x.npy')).toThrow(/x.npy: .*magic/);
    const f8 = npy([1], [1]);
    f8.write("'<f8'", f8.indexOf("'<f4'"), 'latin1');
    expect(() => parseNpy(f8, 'y.npy')).toThrow(/y.npy: .*dtype '<f8'; expected '<f4'/);
  });
});

describe('fixture loader', () => {
  test('loads a consistent case', () => {
    const root = tempFixtures();
    expect(loadManifest(root).cases).toEqual(['tf1/c']);
    expect(loadCase('tf1/c', root).tensors.x.shape).toEqual([2, 2]);
  });

  test('a missing tensor file is named', () => {
    const root = tempFixtures();
    fs.unlinkSync(path.join(root, 'tf1', 'c', 'x.npy'));
    expect(() => loadCase('tf1/c', root)).toThrow(/x\.npy: missing \(listed in .*case\.json as 'x'\)/);
  });

  test('a shape that disagrees with case.json is named', () => {
    const root = tempFixtures();
    fs.writeFileSync(path.join(root, 'tf1', 'c', 'x.npy'), npy([4], [1, 2, 3, 4]));
    expect(() => loadCase('tf1/c', root)).toThrow(/x\.npy: shape \[4\] but .*case\.json says \[2,2\]/);
  });

  test('a missing manifest and a missing case.json are named', () => {
    const root = tempFixtures();
    expect(() => loadCase('tf1/nope', root)).toThrow(/nope[/\\]case\.json: missing fixture file/);
    fs.unlinkSync(path.join(root, 'manifest.json'));
    expect(() => loadManifest(root)).toThrow(/manifest\.json: missing fixture file/);
  });

  test('verify reports a case it cannot run as a failure with the reason', () => {
    const root = tempFixtures();
    fs.writeFileSync(path.join(root, 'tf1', 'c', 'x.npy'), Buffer.from('garbage'));
    const report = verify({fixturesDir: root});
    expect(report.pass).toBe(false);
    expect(report.results).toHaveLength(1);
    expect(report.results[0].reason).toMatch(/x\.npy: not a valid \.npy file/);
  });

  test('verify reports a case of an unknown kind as a failure', () => {
    const root = tempFixtures();
    const caseFile = path.join(root, 'tf1', 'c', 'case.json');
    fs.writeFileSync(caseFile, fs.readFileSync(caseFile, 'utf8').replace('"kind":"tf1"', '"kind":"martian"'));
    const report = verify({fixturesDir: root});
    expect(report.pass).toBe(false);
    expect(report.results[0].reason).toBe("no runner for fixture kind 'martian'");
  });
});

describe('fixtures from bytes and over fetch (the browser-safe loaders)', () => {
  const FIXTURES = path.join(__dirname, '..', 'fixtures');
  const CASE = 'tf1/b2_t5_d3_u4_h0';

  /** A fetch over a folder, as a static server would answer (404 for a missing file, 500 on demand). */
  function folderFetch(root: string, fail?: string) {
    const urls: string[] = [];
    const fetch = async (url: string) => {
      urls.push(url);
      const rel = url.replace(/^http:\/\/fixtures\.test\/base\//, '');
      const file = path.join(root, ...rel.split('/'));
      if (rel === fail) return {ok: false, status: 500, statusText: 'Internal Server Error', arrayBuffer: async () => new ArrayBuffer(0)};
      if (!fs.existsSync(file)) return {ok: false, status: 404, arrayBuffer: async () => new ArrayBuffer(0)};
      const b = fs.readFileSync(file);
      return {ok: true, status: 200, arrayBuffer: async () => b.buffer.slice(b.byteOffset, b.byteOffset + b.length)};
    };
    return {fetch, urls};
  }

  test('fetchFixtures reads the cases asked for; loadCaseFrom gives what the folder loader gives', async () => {
    const {fetch, urls} = folderFetch(FIXTURES);
    const source = await fetchFixtures('http://fixtures.test/base', {cases: [CASE], fetch});
    expect(urls[0]).toBe('http://fixtures.test/base/manifest.json');
    expect(urls.every((u) => u.endsWith('manifest.json') || u.includes(CASE))).toBe(true);
    const fromFetch = loadCaseFrom(CASE, source);
    const fromDir = loadCase(CASE);
    expect(fromFetch.dir).toBe(`http://fixtures.test/base/${CASE}`);
    expect(Object.keys(fromFetch.tensors).sort()).toEqual(Object.keys(fromDir.tensors).sort());
    for (const [name, t] of Object.entries(fromDir.tensors)) expect(fromFetch.tensors[name]).toEqual(t);
  });

  test('verifyFixtures on bytes gives the rows verify gives on the folder', () => {
    const files: Record<string, Uint8Array> = {'manifest.json': fs.readFileSync(path.join(FIXTURES, 'manifest.json'))};
    for (const f of fs.readdirSync(path.join(FIXTURES, CASE))) files[`${CASE}/${f}`] = fs.readFileSync(path.join(FIXTURES, CASE, f));
    const before = tf.memory().numTensors;
    const fromBytes = verifyFixtures(fixturesFromBytes(files), {cases: [CASE]});
    expect(tf.memory().numTensors).toBe(before);
    const fromDir = verify({cases: [CASE]});
    expect(fromBytes.pass).toBe(true);
    expect(fromBytes.results.length).toBeGreaterThan(5);
    expect(fromBytes.results).toEqual(fromDir.results);
  });

  test('a server error is named with the URL; a missing file is named by the loader', async () => {
    const failing = folderFetch(FIXTURES, `${CASE}/x.npy`);
    await expect(fetchFixtures('http://fixtures.test/base/', {cases: [CASE], fetch: failing.fetch}))
        .rejects.toThrow(`http://fixtures.test/base/${CASE}/x.npy: HTTP 500 Internal Server Error`);
    await expect(fetchFixtures('http://fixtures.test/base/', {cases: ['tf1/nope'], fetch: folderFetch(FIXTURES).fetch}))
        .rejects.toThrow("http://fixtures.test/base/manifest.json: lists no case 'tf1/nope'");
    const source = fixturesFromBytes({'manifest.json': new TextEncoder().encode('{"format":1,"cases":["a"]}')}, 'mem');
    expect(() => loadCaseFrom('a', source)).toThrow('mem/a/case.json: missing fixture file');
  });
});
