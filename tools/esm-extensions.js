#!/usr/bin/env node
// After `tsc -p tsconfig.esm.json`: makes dist/esm/ valid ES modules for any
// ESM loader (bundlers, browsers with an import map, Node): relative import
// specifiers get their file ('./x' -> './x.js', a folder -> './x/index.js'),
// and dist/esm/package.json says "type": "module". Fails on a specifier it
// cannot resolve, or on any import of a Node built-in (the root is browser-safe).
const fs = require('fs');
const path = require('path');
const {builtinModules} = require('module');

const root = path.resolve(process.argv[2] || path.join(__dirname, '..', 'dist', 'esm'));
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
const SPEC = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])([^'"]+)\2/g;

function walk(dir) {
  return fs.readdirSync(dir, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? walk(path.join(dir, e.name)) : e.name.endsWith('.js') ? [path.join(dir, e.name)] : []);
}

let files = 0;
let rewritten = 0;
const problems = [];
for (const file of walk(root)) {
  const text = fs.readFileSync(file, 'utf8');
  const out = text.replace(SPEC, (all, head, quote, spec) => {
    if (builtins.has(spec) || builtins.has(spec.split('/')[0])) problems.push(`${file}: imports the Node built-in '${spec}'`);
    if (!spec.startsWith('.')) return all;
    const base = path.resolve(path.dirname(file), spec);
    if (/\.m?js$/.test(spec) && fs.existsSync(base)) return all;  // complete already (a second run)
    const target = fs.existsSync(`${base}.js`) ? `${spec}.js` :
        fs.existsSync(path.join(base, 'index.js')) ? `${spec}/index.js` : null;
    if (target === null) {
      problems.push(`${file}: cannot resolve '${spec}'`);
      return all;
    }
    rewritten++;
    return `${head}${quote}${target}${quote}`;
  });
  if (out !== text) fs.writeFileSync(file, out);
  files++;
}
if (problems.length) {
  console.error(`esm-extensions: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
// The nested package.json: ES modules, and the same sideEffects as the package's
// own (bundlers read the nearest package.json), relative to dist/esm/.
const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'package.json'), 'utf8'));
const sideEffects = pkg.sideEffects.filter((f) => f.startsWith('./dist/esm/')).map((f) => f.replace('./dist/esm/', './'));
fs.writeFileSync(path.join(root, 'package.json'), `${JSON.stringify({type: 'module', sideEffects}, null, 2)}\n`);
console.log(`esm-extensions: ${files} files in ${path.relative(process.cwd(), root) || '.'}, ${rewritten} specifiers completed`);
