// explainGru and its helpers must stay browser-safe: nothing they import,
// directly or through other project files, is a Node module or tfjs-node.
import * as path from 'path';

import {closure, nodeOnly, SRC} from './helpers/imports';

test.each(['explainGru.ts', 'modelJson.ts', 'svg.ts', 'format.ts'])('src/explain/%s imports no Node module', (name) => {
  const {files, packages} = closure(path.join(SRC, 'explain', name));
  expect(files.length).toBeGreaterThan(1);
  expect(nodeOnly(packages)).toEqual([]);
  expect(packages).toEqual(['@tensorflow/tfjs']);
});
