// tfjs-node starts without TensorFlow's start-up noise on stderr (absl banner,
// oneDNN/CPU notices, cuInit on a machine without a GPU), keeps real errors, and
// leaves TensorFlow's output alone when the user sets TF_CPP_MIN_LOG_LEVEL.
import {spawnSync} from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {dropTensorflowStartupNoise} from '../src/node/tensorflowLogFilter';

const ROOT = path.join(__dirname, '..');

// Lines as TensorFlow 2.21's library writes them while it loads on a machine without a GPU.
const STARTUP = [
  'WARNING: All log messages before absl::InitializeLog() is called are written to STDERR',
  'I0000 00:00:1796673971.965262   10411 port.cc:153] oneDNN custom operations are on. You may see slightly different ' +
    'numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the ' +
    'environment variable `TF_ENABLE_ONEDNN_OPTS=0`.',
  'I0000 00:00:1796673971.966765   10411 cudart_stub.cc:31] Could not find cuda drivers on your machine, GPU will not be used.',
  'I0000 00:00:1796673972.053057   10411 cpu_feature_guard.cc:227] This TensorFlow binary is optimized to use available CPU ' +
    'instructions in performance-critical operations.',
  'To enable the following instructions: AVX2 AVX512F AVX512_VNNI AVX512_BF16 AVX_VNNI FMA, in other operations, rebuild ' +
    'TensorFlow with the appropriate compiler flags.',
  'E0000 00:00:1796673972.053588   10411 cuda_platform.cc:52] failed call to cuInit: INTERNAL: CUDA error: Failed call to ' +
    'cuInit: UNKNOWN ERROR (303)',
];

describe('dropTensorflowStartupNoise', () => {
  test('drops the start-up records of a machine without a GPU', () => {
    expect(dropTensorflowStartupNoise(STARTUP.join('\n') + '\n')).toBe('');
  });

  test('keeps other errors, fatal records and text that is not a log record', () => {
    const real = [
      'E0000 00:00:1796673972.1   10411 op_kernel.cc:1838] OP_REQUIRES failed at conv_ops.cc:12 : INVALID_ARGUMENT: bad',
      'F0000 00:00:1796673972.2   10411 logging.cc:9] Check failed: ok',
      '(node:10411) Warning: something a user should see',
      'To enable the following instructions: AVX2, in other operations, rebuild TensorFlow with the appropriate compiler flags.',
    ];
    const mixed = [STARTUP[0], STARTUP[1], real[0], STARTUP[5], real[1], real[2], real[3], ''].join('\n');
    // the last line is kept: it follows no dropped record, so it is not a continuation
    expect(dropTensorflowStartupNoise(mixed)).toBe(real.join('\n') + '\n');
  });
});

/**
 * Starts tfjs-node in a child whose stderr is a file or (through a shell) a pipe, as in a
 * terminal session or `tfjs-gru … 2>log`. (Node's own child pipes are socket pairs, which
 * cannot be reopened through /proc: there the start is not quieted; see src/node/quietLoad.ts.)
 */
function startTfjsNode(env: Record<string, string | undefined>, via: 'file' | 'pipe') {
  const script = "require('./src/node/backend').selectBackend('tensorflow')" +
      ".then((i) => { console.error('loaded:' + i.name); }, (e) => { console.error('unavailable:' + e.message); })";
  const childEnv: NodeJS.ProcessEnv = {...process.env, ...env};
  for (const k of Object.keys(childEnv)) if (childEnv[k] === undefined) delete childEnv[k];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tfjs-gru-quiet-'));
  const errFile = path.join(dir, 'stderr.txt');
  const args = ['-r', 'ts-node/register/transpile-only', '-e', script];
  let status: number | null;
  if (via === 'file') {
    const fd = fs.openSync(errFile, 'w');
    status = spawnSync(process.execPath, args, {cwd: ROOT, env: childEnv, stdio: ['ignore', 'ignore', fd]}).status;
    fs.closeSync(fd);
  } else {
    const quoted = [process.execPath, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    status = spawnSync('/bin/sh', ['-c', `${quoted} 2>&1 | cat > '${errFile}'`], {cwd: ROOT, env: childEnv}).status;
  }
  const stderr = fs.readFileSync(errFile, 'utf8');
  fs.rmSync(dir, {recursive: true});
  return {stderr, status};
}

describe.each(['file', 'pipe'] as const)('a tfjs-node start, stderr to a %s', (via) => {
  const quiet = process.platform === 'linux' ? startTfjsNode({TF_CPP_MIN_LOG_LEVEL: undefined}, via) : {stderr: '', status: 1};
  const maybe = /loaded:tensorflow/.test(quiet.stderr) ? test : test.skip;

  maybe('prints nothing but what the program prints, and stderr works after it', () => {
    expect(quiet.status).toBe(0);
    expect(quiet.stderr).toBe('loaded:tensorflow\n');
  });

  maybe('with TF_CPP_MIN_LOG_LEVEL set by the user, TensorFlow\'s lines are left alone', () => {
    const loud = startTfjsNode({TF_CPP_MIN_LOG_LEVEL: '0'}, via);
    expect(loud.stderr).toMatch(/^[IWE]\d{4} .*\] /m);  // the lines the quiet start drops exist here
    expect(loud.stderr).toMatch(/loaded:tensorflow\n$/);
  });
});
