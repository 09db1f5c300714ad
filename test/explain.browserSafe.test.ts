// explainGru and its helpers must stay browser-safe: nothing they import,
// directly or through other project files, is a Node module or tfjs-node.
import * as fs from 'fs';
import * as path from 'path';
import {builtinModules} from 'module';

const SRC = path.join(__dirname, '..', 'src');

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g), ...text.matchAll(/require\('([^']+)'\)/g)]
      .map((m) => m[1]);
}

/** Every module reachable from a file through relative imports, and the packages they name. */
function closure(entry: string): {files: string[], packages: string[]} {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of imports(file)) {
      if (spec.startsWith('.')) visit(path.resolve(path.dirname(file), spec) + '.ts'); else packages.add(spec);
    }
  };
  visit(entry);
  return {files: [...files], packages: [...packages]};
}

test.each(['explainGru.ts', 'modelJson.ts', 'svg.ts', 'format.ts'])('src/explain/%s imports no Node module', (name) => {
  const {files, packages} = closure(path.join(SRC, 'explain', name));
  expect(files.length).toBeGreaterThan(1);
  const node = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  expect(packages.filter((p) => node.has(p) || p.startsWith('@tensorflow/tfjs-node'))).toEqual([]);
  expect(packages).toEqual(['@tensorflow/tfjs']);
});
