/**
 * npm run bench -- [--sizes latency,medium,large] [--tasks forward,train] [--peers ours,ort-node,...]
 *                  [--runs 10] [--rounds 1] [--warmup 2] [--max-seconds 30] [--worker-timeout 3600] [--threads 2] [--seed 1] [--out DIR] [--json]
 *                  [--no-install] [--keep]
 * Runs the peer benchmark (bench/peers/index.ts), prints the table (or the JSON with --json) and writes
 * peers.txt, peers.md, peers.json and peers.svg to bench/results (or --out).
 */
import {BenchOptionError, BenchOptions, runBench} from './index';
import {Task} from './spec';

const HELP = `usage: tfjs-gru bench [options]   (in a checkout: npm run bench -- [options])
  --sizes LIST        step,latency,medium,large,stream (default all; stream: the per-frame streaming table)
  --tasks LIST        forward,train (default both)
  --peers LIST        peer ids or names: ours, ours@tensorflow, ours@wasm, ours@cpu, tfjs-layers, tfjs-layers@tensorflow,
                      tfjs-layers@wasm, ort-node, ort-web, tf-python, torch, floor (default all)
  --runs N            timed runs per row (default 10)
  --rounds N          run every peer N times in turn, runs/N timed runs each, timings pooled (default 1;
                      use 3 or more on a shared machine so a busy spell does not fall on one peer)
  --warmup N          warm-up runs per row (default 2)
  --max-seconds S     stop timing a row after S seconds of timed runs (default 30; at least one run)
  --worker-timeout S  kill a peer's process after S seconds and report it (default 3600)
  --threads N         threads for every peer (default 2)
  --seed N            seed of the weights and inputs (default 1)
  --out DIR           where peers.txt/.md/.json/.svg go (default bench/results)
  --json              print the JSON instead of the table
  --no-install        do not install missing peers (npm ci of bench/peers, tools/venv.sh, apt python3-torch)
  --keep              keep the temp dir (data, outputs, worker logs)
`;

/** Parses the command line of the bench (also for `tfjs-gru bench`). Throws on unknown options. */
export function parseBenchArgs(argv: string[]): BenchOptions & {json: boolean, help: boolean} {
  const o: BenchOptions & {json: boolean, help: boolean} = {json: false, help: false};
  const list = (v: string) => v.split(',').map((s) => s.trim()).filter((s) => s);
  const num = (name: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || !Number.isFinite(n)) throw new Error(`--${name} needs a number, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--sizes': o.sizes = list(value()); break;
      case '--tasks': o.tasks = list(value()) as Task[]; break;
      case '--peers': o.peers = list(value()); break;
      case '--runs': o.runs = num('runs', argv[++i]); break;
      case '--rounds': o.rounds = num('rounds', argv[++i]); break;
      case '--warmup': o.warmup = num('warmup', argv[++i]); break;
      case '--max-seconds': o.maxSeconds = num('max-seconds', argv[++i]); break;
      case '--worker-timeout': o.workerTimeoutSeconds = num('worker-timeout', argv[++i]); break;
      case '--threads': o.threads = num('threads', argv[++i]); break;
      case '--seed': o.seed = num('seed', argv[++i]); break;
      case '--out': o.outDir = value(); break;
      case '--json': o.json = true; break;
      case '--no-install': o.install = false; break;
      case '--keep': o.keep = true; break;
      case '-h': case '--help': o.help = true; break;
      default: throw new Error(`unknown option ${a}\n${HELP}`);
    }
  }
  return o;
}

/** The command: returns the exit code (0, or 1 on a usage error or a failure). Output is written, not exited on. */
export async function benchMain(argv: string[]): Promise<number> {
  let opts;
  try {
    opts = parseBenchArgs(argv);
  } catch (e) {
    process.stderr.write(`bench: ${(e as Error).message}\n`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let r;
  try {
    r = await runBench(opts);
  } catch (e) {
    if (!(e instanceof BenchOptionError)) throw e;
    process.stderr.write(`bench: ${e.message}\n`);
    return 2;
  }
  process.stdout.write(opts.json ? r.json : r.text);
  if (r.files.length) process.stderr.write(`bench: wrote ${r.files.join(', ')}\n`);
  return 0;
}

if (require.main === module) {
  benchMain(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e) => {
    process.stderr.write(`bench: ${(e as Error).stack || e}\n`);
    process.exitCode = 1;
  });
}
