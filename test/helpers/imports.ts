// The import graph of our sources, read as text: for browser-safety tests.
import * as fs from 'fs';
import * as path from 'path';
import {builtinModules} from 'module';

export const SRC = path.join(__dirname, '..', '..', 'src');

function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g), ...text.matchAll(/require\('([^']+)'\)/g)]
      .map((m) => m[1]);
}

/** Every module reachable from a file through relative imports (and lazy requires), and the packages they name. */
export function closure(entry: string): {files: string[], packages: string[]} {
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

/** The packages of a closure that need Node: its built-in modules and tfjs-node. */
export function nodeOnly(packages: string[]): string[] {
  const node = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  return packages.filter((p) => node.has(p) || p.startsWith('@tensorflow/tfjs-node'));
}
