import {backendInfo, parseBackendName, selectBackend} from '../backend';
import {formatTable} from '../verify/table';
import {verify} from '../verify/verify';

const USAGE = `usage: tfjs-gru verify [--json] [--backend tensorflow|wasm|cpu] [--fixtures DIR]
  Runs every implementation on every reference case that real TensorFlow,
  Keras and PyTorch produced (fixtures/), and compares outputs, states and
  gradients. Exit status 0 only when everything passes.
`;

function progressBar(done: number, total: number, name: string): void {
  if (!process.stderr.isTTY) return;
  const width = 30;
  const filled = Math.round((done / total) * width);
  const bar = '#'.repeat(filled) + '-'.repeat(width - filled);
  process.stderr.write(`\r[${bar}] ${done}/${total} ${name}`.padEnd(process.stderr.columns ?? 100).slice(0, 200));
  if (done === total) process.stderr.write('\n');
}

export async function verifyCommand(argv: string[]): Promise<number> {
  let json = false;
  let backend: string|undefined;
  let fixturesDir: string|undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') {
      json = true;
    } else if (a === '--backend' || a === '--fixtures') {
      const v = argv[++i];
      if (v === undefined) throw new Error(`verify: ${a} needs a value`);
      if (a === '--backend') backend = v; else fixturesDir = v;
    } else if (a === '--help' || a === '-h') {
      process.stdout.write(USAGE);
      return 0;
    } else {
      process.stderr.write(`verify: unknown argument '${a}'\n${USAGE}`);
      return 2;
    }
  }
  await selectBackend(parseBackendName(backend));
  const info = backendInfo();
  if (!json) process.stderr.write(`backend: ${info.name} (${info.reason}); GRUs run on the ${info.gruKernel}\n`);
  const report = verify({fixturesDir, onProgress: json ? undefined : progressBar});
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const failures = report.results.filter((r) => !r.pass).length;
    const cases = new Set(report.results.map((r) => r.case)).size;
    process.stdout.write(formatTable(report.results) + '\n\n');
    process.stdout.write(`backend: ${info.name} (${info.reason}); GRUs run on the ${info.gruKernel}\n`);
    process.stdout.write(report.pass ?
        `PASS: ${report.results.length} quantities on ${cases} cases equal TensorFlow within tolerance\n` :
        `FAIL: ${failures} of ${report.results.length} quantities on ${cases} cases differ from TensorFlow or did not run\n`);
  }
  return report.pass ? 0 : 1;
}
