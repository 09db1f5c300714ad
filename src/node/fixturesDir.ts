import * as fs from 'fs';
import * as path from 'path';

import {FixtureCase, FixtureManifest, FixtureSource, loadCaseFrom, loadManifestFrom} from '../fixtures/fixtureSet';

/**
 * fixtures/ of this package (next to src/ and dist/).
 * @category Verify
 */
export function defaultFixturesDir(): string {
  return path.resolve(__dirname, '..', '..', 'fixtures');
}

/**
 * A fixture folder on disk as a {@link FixtureSource}.
 * @category Verify
 */
export function fixturesFromDir(root = defaultFixturesDir()): FixtureSource {
  const where = (rel: string) => path.join(root, ...rel.split('/'));
  return {
    where,
    read: (rel) => {
      const file = where(rel);
      return fs.existsSync(file) ? fs.readFileSync(file) : undefined;
    },
  };
}

/** Reads and checks manifest.json of a fixture folder. */
export function loadManifest(root = defaultFixturesDir()): FixtureManifest {
  return loadManifestFrom(fixturesFromDir(root));
}

/** Loads one case of a fixture folder and checks every tensor file against case.json. */
export function loadCase(name: string, root = defaultFixturesDir()): FixtureCase {
  return loadCaseFrom(name, fixturesFromDir(root));
}
