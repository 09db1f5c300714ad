// The import graph of our sources, read as text: for browser-safety tests.
import * as fs from 'fs';
import * as path from 'path';
import {builtinModules} from 'module';

export const SRC = path.join(__dirname, '..', '..', 'src');

/** Static imports and re-exports, lazy require()s and dynamic import()s of a file. */
function imports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [
    ...text.matchAll(/(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/g),
    ...text.matchAll(/(?:^|\n)\s*import\s+'([^']+)'/g),
    ...text.matchAll(/require\('([^']+)'\)/g),
    ...text.matchAll(/\bimport\('([^']+)'\)/g),
  ].map((m) => m[1]);
}

/** A relative import as a file: './x' is x.ts, or x/index.ts for a folder. */
function resolveSource(from: string, spec: string): string {
  const base = path.resolve(path.dirname(from), spec);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(`${from}: cannot resolve '${spec}' to a source file`);
}

/** Every module reachable from a file through relative imports (and lazy requires), and the packages they name. */
export function closure(entry: string): {files: string[], packages: string[]} {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    for (const spec of imports(file)) {
      if (spec.startsWith('.')) visit(resolveSource(file, spec)); else packages.add(spec);
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
