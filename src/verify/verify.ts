import * as tf from '@tensorflow/tfjs';

import {defaultFixturesDir, FixtureCase, loadCase, loadManifest} from '../fixtures/fixtures';
import {failed, QuantityResult} from './result';
import {runKerasCase} from './kerasRunner';
import {runPytorchCase} from './pytorchRunner';
import {runTf1Case} from './tf1Runner';

/** A runner compares every implementation of one fixture kind with the reference. */
export type CaseRunner = (c: FixtureCase) => QuantityResult[];

const RUNNERS: Record<string, CaseRunner> = {
  tf1: runTf1Case,
  keras: runKerasCase,
  pytorch: runPytorchCase,
};

export interface VerifyReport {
  backend: string;
  pass: boolean;
  results: QuantityResult[];
}

export interface VerifyOptions {
  fixturesDir?: string;
  /** Called after each case with (done, total, case name). */
  onProgress?: (done: number, total: number, caseName: string) => void;
}

/**
 * Loads every case of the fixture manifest and runs every implementation on
 * it. A case that cannot be loaded, or whose kind has no runner, is reported
 * as a failure with the reason; nothing is skipped silently.
 */
export function verify(options: VerifyOptions = {}): VerifyReport {
  const root = options.fixturesDir ?? defaultFixturesDir();
  const manifest = loadManifest(root);
  const results: QuantityResult[] = [];
  manifest.cases.forEach((name, i) => {
    const before = tf.memory().numTensors;
    let c: FixtureCase|null = null;
    try {
      c = loadCase(name, root);
    } catch (e) {
      results.push(failed(name, '(case)', (e as Error).message));
    }
    if (c != null) {
      const runner = RUNNERS[c.kind];
      if (runner == null) {
        results.push(failed(name, '(case)', `no runner for fixture kind '${c.kind}'`));
      } else {
        results.push(...runner(c));
      }
    }
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) results.push(failed(name, '(case)', `${leaked} tensors leaked while verifying`));
    options.onProgress?.(i + 1, manifest.cases.length, name);
  });
  if (results.length === 0) results.push(failed('(none)', '(manifest)', 'the manifest lists no cases'));
  return {backend: tf.getBackend(), pass: results.every((r) => r.pass), results};
}
