import {verifyFixtures, VerifyFixturesOptions, VerifyReport} from '../verify/verify';
import {defaultFixturesDir, fixturesFromDir} from './fixturesDir';

/**
 * Options of {@link verify}.
 * @category Verify
 */
export interface VerifyOptions extends VerifyFixturesOptions {
  /** The fixture folder (default: the package's fixtures/). */
  fixturesDir?: string;
}

/**
 * `verifyFixtures` on a fixture folder (default: the package's fixtures/): what `tfjs-gru verify` runs.
 * @category Verify
 */
export function verify(options: VerifyOptions = {}): VerifyReport {
  return verifyFixtures(fixturesFromDir(options.fixturesDir ?? defaultFixturesDir()), options);
}
