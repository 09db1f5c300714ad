// A public API a newcomer can read: every export of the entry points sits in one
// of the README's categories in the typedoc index (none left in "Other"), and every call
// the README's "API at a glance" table names is exported where the table says.
import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import * as node from '../src/node';
import * as root from '../src';
import * as testing from '../src/testing';

const ROOT = path.join(__dirname, '..');
const CATEGORIES = ['Layers', 'Weights and converters', 'Readers', 'Conversion', 'Explain', 'Verify', 'Backends and kernels', 'Testing'];

function glanceTable(): Array<[string, string]> {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.split(/^## The API at a glance$/m)[1].split(/^## /m)[0];
  return section.split('\n').filter((l) => /^\| [A-Z]/.test(l) && !l.startsWith('| category'))
      .map((l) => { const [, cat, calls] = l.split('|').map((c) => c.trim()); return [cat, calls]; });
}

test('the README table: its categories are typedoc\'s, and each call is exported where it says', () => {
  const rows = glanceTable();
  expect(rows.map(([c]) => c.replace(/ \(.*\)$/, ''))).toEqual(CATEGORIES);
  for (const [cat, calls] of rows) {
    const [browser, nodeOnly = ''] = calls.split(/;\s*Node:/);
    const names = (text: string) => [...text.matchAll(/`([A-Za-z_]\w*)`/g)].map((m) => m[1]);
    const home: Record<string, unknown> = cat.startsWith('Testing') ? testing : root;
    const missing = names(browser).filter((n) => !(n in home));
    expect({cat, missing}).toEqual({cat, missing: []});
    const missingNode = names(nodeOnly).filter((n) => !(n in node) || n in root);
    expect({cat, missingNode}).toEqual({cat, missingNode: []});
  }
  // fixture plumbing is not in the root
  for (const n of ['caseTensor', 'hasTensor', 'loadCaseFrom', 'loadManifestFrom', 'householderQ']) {
    expect([n, n in root, n in node, n in testing]).toEqual([n, false, false, true]);
  }
});

test('the typedoc index groups every export of the four entry points in those categories', () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-typedoc-'));
  const json = path.join(out, 'api.json');
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc'), '--json', json,
                                         '--out', path.join(out, 'html')], {cwd: ROOT, encoding: 'utf8'});
  expect({status: r.status, out: r.status === 0 ? '' : r.stdout + r.stderr}).toEqual({status: 0, out: ''});
  const project = JSON.parse(fs.readFileSync(json, 'utf8'));
  fs.rmSync(out, {recursive: true, force: true});
  const modules = Object.fromEntries(project.children.map((m: any) => [m.name, m]));
  expect(Object.keys(modules).sort()).toEqual(['index', 'node', 'stream', 'testing']);
  for (const m of Object.values(modules) as any[]) {
    const titles = (m.categories ?? []).map((c: any) => c.title);
    expect({module: m.name, unknown: titles.filter((t: string) => !CATEGORIES.includes(t))}).toEqual({module: m.name, unknown: []});
    const categorized = new Set((m.categories ?? []).flatMap((c: any) => c.children));
    const loose = (m.children ?? []).filter((c: any) => !categorized.has(c.id)).map((c: any) => c.name);
    expect({module: m.name, loose}).toEqual({module: m.name, loose: []});
  }
  expect(modules.index.categories.map((c: any) => c.title)).toEqual(CATEGORIES.filter((c) => c !== 'Testing'));
  expect(modules.testing.categories.map((c: any) => c.title)).toEqual(['Testing']);
}, 180000);
