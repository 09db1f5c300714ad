// A few hundred seeded mutations of the fixture checkpoints (bench/fuzzCheckpoint.ts runs
// 10,000+): every fault must come out as a CheckpointError, never another exception, and
// a tensor whose bytes were corrupted without repairing the CRC must never be returned.
import {runFuzz} from './helpers/checkpointFuzz';

test('400 mutated checkpoints: only typed errors, no corrupted tensor returned', () => {
  const report = runFuzz(400, 20261202);
  expect(report.untyped).toEqual([]);
  expect(report.wrongTensors).toBe(0);
  const total = Object.values(report.outcomes).reduce((a, b) => a + b, 0);
  expect(total).toBe(400);
  // the mutations reach the deeper checks, not only the CRCs
  for (const code of ['BLOCK_CRC', 'TENSOR_CRC', 'BAD_MAGIC', 'TRUNCATED', 'BAD_PROTO', 'BAD_ENTRY']) {
    expect([code, report.outcomes[`CheckpointError ${code}`] > 0]).toEqual([code, true]);
  }
  expect(report.slowest.ms).toBeLessThan(5000);
});
