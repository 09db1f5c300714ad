// Fuzzes the checkpoint reader with seeded mutations of the fixture checkpoints and prints
// the count of each outcome (JSON). Exit 1 if any fault escaped as an untyped error or a
// corrupted tensor was returned.
//   npx ts-node --transpile-only bench/fuzzCheckpoint.ts [--cases 10000] [--seed 1]
import {runFuzz} from '../test/helpers/checkpointFuzz';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
}

const t0 = Date.now();
const report = runFuzz(arg('--cases', 10000), arg('--seed', 1));
process.stdout.write(JSON.stringify({...report, seconds: (Date.now() - t0) / 1000}, null, 2) + '\n');
process.exitCode = report.untyped.length > 0 || report.wrongTensors > 0 ? 1 : 0;
