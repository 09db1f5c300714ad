// The Keras readers and converter take bytes and import nothing from Node: only tfjs,
// jsfive (HDF5), fflate (zip) and, through the shared conversion code, the (browser-safe)
// checkpoint reader's packages. File reading lives in src/node/formats/.
import * as path from 'path';

import {closure, nodeOnly, SRC} from './helpers/imports';

test.each(['io/keras/index.ts', 'kerasModel/toLayersModel.ts', 'kerasModel/inspect.ts', 'weights/kerasCudnnLayout.ts'])(
    'src/%s imports no Node module', (name) => {
      const {files, packages} = closure(path.join(SRC, name));
      expect(files.length).toBeGreaterThan(1);
      expect(nodeOnly(packages)).toEqual([]);
      expect(packages.filter((p) => !['@tensorflow/tfjs', 'jsfive', 'fflate', '@aws-crypto/crc32c', 'protobufjs', 'snappyjs'].includes(p))).toEqual([]);
    });

test('the Node side of Keras files does read files', () => {
  expect(nodeOnly(closure(path.join(SRC, 'node/formats/kerasFiles.ts')).packages)).toEqual(expect.arrayContaining(['fs', 'path']));
});
