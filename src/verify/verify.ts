import * as tf from '@tensorflow/tfjs';

import {FixtureCase, FixtureSource, loadCaseFrom, loadManifestFrom} from '../fixtures/fixtureSet';
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

/**
 * What verify found: one row per quantity, and whether every row passed.
 * @category Verify
 */
export interface VerifyReport {
  /** The tfjs backend it ran on. */
  backend: string;
  /** Every row within its tolerance (and at least one row). */
  pass: boolean;
  /** One row per implementation, case and quantity. */
  results: QuantityResult[];
}

/**
 * Options of {@link verifyFixtures}.
 * @category Verify
 */
export interface VerifyFixturesOptions {
  /** Only these cases of the manifest (default: all). */
  cases?: string[];
  /** Called after each case with (done, total, case name). */
  onProgress?: (done: number, total: number, caseName: string) => void;
}

/**
 * Loads every case of a fixture source (the package's fixtures/ fetched by a
 * page, bytes in memory, a folder in Node) and runs every implementation on it,
 * against real TensorFlow's outputs and gradients. A case that cannot be
 * loaded, or whose kind has no runner, is reported as a failure with the
 * reason; nothing is skipped silently. Browser-safe; Node's `verify` reads a folder.
 * @category Verify
 */
export function verifyFixtures(source: FixtureSource, options: VerifyFixturesOptions = {}): VerifyReport {
  const manifest = loadManifestFrom(source);
  const names = options.cases ?? manifest.cases;
  const results: QuantityResult[] = [];
  names.forEach((name, i) => {
    const before = tf.memory().numTensors;
    let c: FixtureCase|null = null;
    try {
      c = loadCaseFrom(name, source);
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
    options.onProgress?.(i + 1, names.length, name);
  });
  if (results.length === 0) results.push(failed('(none)', '(manifest)', names === manifest.cases ? 'the manifest lists no cases' : 'no cases were asked for'));
  return {backend: tf.getBackend(), pass: results.every((r) => r.pass), results};
}
