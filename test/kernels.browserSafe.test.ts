// The package root and everything it imports must stay browser-safe: nothing
// reachable from src/index.ts, directly or through other project files, is a
// Node module or tfjs-node. Node's parts (the native kernel, tfjs-node
// loading, file readers) are reached only from src/node/index.ts.
import * as path from 'path';

import {closure, nodeOnly, SRC} from './helpers/imports';

test.each([
  'layers/tf1Gru.ts', 'layers/kerasGru.ts', 'math/gruSequence.ts', 'kernels/registry.ts', 'kernels/wasm/wasmKernel.ts',
  'backend.ts', 'fixtures/fixtureSet.ts', 'verify/verify.ts', 'testing/index.ts', 'io/npz/index.ts',
])('src/%s imports no Node module', (name) => {
  const {files, packages} = closure(path.join(SRC, name));
  expect(files.length).toBeGreaterThan(1);
  expect(nodeOnly(packages)).toEqual([]);
});

test('the package root (src/index.ts) imports no Node module and nothing under src/node/', () => {
  const {files, packages} = closure(path.join(SRC, 'index.ts'));
  expect(files.length).toBeGreaterThan(50);
  expect(nodeOnly(packages)).toEqual([]);
  expect(files.filter((f) => path.relative(SRC, f).split(path.sep)[0] === 'node')).toEqual([]);
  // The dependencies a browser bundle gets: tfjs, its wasm backend (loaded on request), the checkpoint
  // and ONNX readers' (protobufjs, CRC32C, Snappy) and the Keras readers' (fflate for zips, jsfive for HDF5).
  expect(packages.sort()).toEqual(['@aws-crypto/crc32c', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'fflate', 'jsfive',
    'protobufjs', 'snappyjs'].sort());
});

test('the layers and kernels import no package but @tensorflow/tfjs', () => {
  for (const name of ['layers/tf1Gru.ts', 'layers/kerasGru.ts', 'math/gruSequence.ts']) {
    expect(closure(path.join(SRC, name)).packages).toEqual(['@tensorflow/tfjs']);
  }
});

test('the check sees Node modules where they are (the Node entry reaches tfjs-node, fs and child_process)', () => {
  expect(nodeOnly(closure(path.join(SRC, 'node', 'index.ts')).packages))
      .toEqual(expect.arrayContaining(['fs', 'path', 'child_process', '@tensorflow/tfjs-node']));
});
