// The README's code runs: every TypeScript/JavaScript block of README.md and docs/**/*.md
// is type-checked against the sources (tfjs-gru → src/index.ts, tfjs-gru/node →
// src/node/index.ts) and, unless it is for a browser, executed in Node in document order
// in one folder where fixtures/ is the repository's. The info string says which:
//   ```ts            complete, type-checked and run (a block importing @tensorflow/tfjs-node
//                    runs when tfjs-node loads here; `npx tfjs-gru setup-node` builds it)
//   ```ts browser    complete, type-checked with the DOM library, not run (it needs a page)
//   ```ts excerpt    part of a program: neither
// A block that prints max |ours − a fixture's reference| must print a number ≤ 1e-5.
// A README that drifts from the code fails here.
import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.join(__dirname, '..');
const LANGS = new Set(['ts', 'typescript', 'js', 'javascript']);

interface Block { file: string; line: number; mode: 'run' | 'browser' | 'excerpt'; code: string }

function markdownFiles(): string[] {
  const docs = path.join(ROOT, 'docs');
  const walk = (d: string): string[] => fs.readdirSync(d, {withFileTypes: true}).flatMap((e) =>
    e.isDirectory() ? walk(path.join(d, e.name)) : e.name.endsWith('.md') ? [path.join(d, e.name)] : []);
  return [path.join(ROOT, 'README.md'), ...(fs.existsSync(docs) ? walk(docs) : [])];
}

function blocks(): Block[] {
  const out: Block[] = [];
  for (const file of markdownFiles()) {
    const text = fs.readFileSync(file, 'utf8');
    const re = /^```([^\n]*)\n([\s\S]*?)^```\s*$/gm;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) != null) {
      const [lang, ...words] = m[1].trim().split(/\s+/);
      if (!LANGS.has(lang)) continue;
      const mode = words.includes('excerpt') ? 'excerpt' : words.includes('browser') ? 'browser' : 'run';
      out.push({file: path.relative(ROOT, file), line: text.slice(0, m.index).split('\n').length, mode, code: m[2]});
    }
  }
  return out;
}

/** The block as a module: imports of the package pointed at the sources, the rest in an async main (top-level await). */
function asModule(code: string): string {
  const lines = code.split('\n');
  const isImport = (l: string) => /^import\s/.test(l);
  const imports = lines.filter(isImport).map((l) => l
      .replace(/from 'tfjs-gru\/node'/, `from '${path.join(ROOT, 'src', 'node', 'index')}'`)
      .replace(/from 'tfjs-gru'/, `from '${path.join(ROOT, 'src', 'index')}'`)
      .replace(/^import 'tfjs-gru';/, `import '${path.join(ROOT, 'src', 'index')}';`));
  const body = lines.filter((l) => !isImport(l)).join('\n');
  return `${imports.join('\n')}\nexport {};\nasync function main(): Promise<void> {\n${body}\n}\n` +
      'main().catch((e) => { console.error(e); process.exit(1); });\n';
}

const all = blocks();
const checked = all.filter((b) => b.mode !== 'excerpt');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-readme-'));
fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(work, 'node_modules'));
fs.symlinkSync(path.join(ROOT, 'fixtures'), path.join(work, 'fixtures'));
const fileOf = (b: Block) => `${b.file.replace(/\W+/g, '_')}_${b.line}.ts`;
for (const b of checked) fs.writeFileSync(path.join(work, fileOf(b)), asModule(b.code));
afterAll(() => fs.rmSync(work, {recursive: true, force: true}));

const tfjsNodeLoads = spawnSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"],
    {cwd: ROOT, env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '3'}}).status === 0;

test('the README has code blocks, and each is run, browser or excerpt', () => {
  expect(all.length).toBeGreaterThanOrEqual(8);
  expect(all.filter((b) => b.mode === 'run').length).toBeGreaterThanOrEqual(6);
});

test('every complete block type-checks against the sources (strict)', () => {
  fs.writeFileSync(path.join(work, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {module: 'commonjs', target: 'es2020', lib: ['es2020', 'dom'], strict: true, noEmit: true,
      skipLibCheck: true, esModuleInterop: true, types: ['node'], typeRoots: [path.join(ROOT, 'node_modules', '@types')]},
    files: [...checked.map(fileOf), ...fs.readdirSync(path.join(ROOT, 'src', 'types')).map((f) => path.join(ROOT, 'src', 'types', f))],
  }));
  const r = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', work],
                      {cwd: work, encoding: 'utf8'});
  const errors = (r.stdout + r.stderr).split('\n').filter((l) => /error TS/.test(l))
      .map((l) => { const b = checked.find((x) => l.startsWith(fileOf(x))); return b ? `${b.file}:${b.line} (block): ${l}` : l; });
  expect(errors).toEqual([]);
});

describe('every block for Node runs, in document order', () => {
  test.each(checked.filter((b) => b.mode === 'run').map((b) => [`${b.file}:${b.line}`, b] as const))('%s', (_where, b) => {
    if (/@tensorflow\/tfjs-node'/.test(b.code) && !tfjsNodeLoads) return;  // tfjs-node not built here (setup-node)
    const r = spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', fileOf(b)], {
      cwd: work, encoding: 'utf8', timeout: 120000,
      env: {...process.env, TS_NODE_PROJECT: path.join(ROOT, 'tsconfig.json'), TS_NODE_TRANSPILE_ONLY: '1'},
    });
    expect({block: `${b.file}:${b.line}`, status: r.status, stderr: r.status === 0 ? '' : r.stderr})
        .toEqual({block: `${b.file}:${b.line}`, status: 0, stderr: ''});
    // a block that prints max |ours − the reference| prints a number within float32 rounding
    if (/console\.log\(tf\.max\(tf\.abs\(tf\.sub\(/.test(b.code)) {
      const printed = Number(r.stdout.trim().split('\n').pop());
      expect({block: `${b.file}:${b.line}`, ok: printed >= 0 && printed <= 1e-5}).toEqual({block: `${b.file}:${b.line}`, ok: true});
    }
  });
});
