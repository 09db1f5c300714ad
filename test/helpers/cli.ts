// Runs the tfjs-gru command the way a user's shell does: node bin/tfjs-gru.js,
// its stdout piped into another program (a node consumer that reads it to the
// end), so a CLI that exits before stdout drains is caught.
import {spawnSync} from 'child_process';
import * as path from 'path';

export const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'tfjs-gru.js');

/** Echoes its stdin back after reading it whole, slowly enough that the pipe fills. */
const CONSUMER = `let n=0;const c=[];process.stdin.on('data',(d)=>{c.push(d);n+=d.length;});` +
    `process.stdin.on('end',()=>{process.stdout.write(Buffer.concat(c));});`;

export interface PipeResult {
  /** What the consumer at the end of the pipe received. */
  stdout: string;
  stderr: string;
  /** tfjs-gru's own exit code (PIPESTATUS[0]). */
  code: number;
}

function quote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `node bin/tfjs-gru.js ARGS | node CONSUMER`, returning what came out of the pipe and tfjs-gru's exit code. */
export function runThroughPipe(args: string[], env: Record<string, string> = {}): PipeResult {
  const cmd = `${quote(process.execPath)} ${quote(BIN)} ${args.map(quote).join(' ')} | ` +
      `${quote(process.execPath)} -e ${quote(CONSUMER)}; exit \${PIPESTATUS[0]}`;
  const r = spawnSync('bash', ['-c', cmd], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024,
    env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...env},
  });
  if (r.error) throw r.error;
  return {stdout: r.stdout, stderr: r.stderr, code: r.status ?? -1};
}

/** Captures what an in-process main() writes to stdout and stderr (jest spies), until restore(). */
export function captureStdio(): {restore: () => void, out: string[], err: string[]} {
  const out: string[] = [];
  const err: string[] = [];
  const o = jest.spyOn(process.stdout, 'write').mockImplementation((s: any) => (out.push(String(s)), true));
  const e = jest.spyOn(process.stderr, 'write').mockImplementation((s: any) => (err.push(String(s)), true));
  return {out, err, restore: () => { o.mockRestore(); e.mockRestore(); }};
}
