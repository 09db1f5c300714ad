// `tfjs-gru/testing`: the plumbing of this package's own tests and of the in-browser
// verify page, kept out of the public root: the reference cases of fixtures/ (one case's
// configuration and tensors), and internals the tests check directly. Browser-safe,
// like the root: nothing here imports Node. In Node, `fixturesFromDir()` of
// `tfjs-gru/node` is the FixtureSource of the package's own fixtures/ folder.
export {caseTensor, FixtureCase, FixtureManifest, hasTensor, loadCaseFrom, loadManifestFrom} from '../fixtures/fixtureSet';
export {householderQ} from '../layers/fastOrthogonal';
