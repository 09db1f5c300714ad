// The layers and the kernels they run on must stay browser-safe: nothing they
// import, directly or through other project files, is a Node module or
// tfjs-node (the native kernel is registered from src/backend.ts, Node's side).
import * as path from 'path';

import {closure, nodeOnly, SRC} from './helpers/imports';

test.each([
  'layers/tf1Gru.ts', 'layers/kerasGru.ts', 'math/gruSequence.ts', 'kernels/registry.ts', 'kernels/wasm/wasmKernel.ts',
])('src/%s imports no Node module', (name) => {
  const {files, packages} = closure(path.join(SRC, name));
  expect(files.length).toBeGreaterThan(1);
  expect(nodeOnly(packages)).toEqual([]);
  expect(packages.filter((p) => p !== '@tensorflow/tfjs')).toEqual([]);  // no other package at all
});

test('the check sees Node modules where they are (src/backend.ts reaches the native kernel)', () => {
  expect(nodeOnly(closure(path.join(SRC, 'backend.ts')).packages)).toEqual(expect.arrayContaining(['fs', 'path']));
});
