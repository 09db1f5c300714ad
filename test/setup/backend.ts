/**
 * jest setupFilesAfterEnv: activates the backend named by env TFJS_GRU_BACKEND
 * (tensorflow | wasm | cpu; unset/'auto' = what selectBackend picks) before the
 * tests of each file, and fails loudly if the requested one is not available.
 */
import {setWasmKernelThreads} from '../../src/kernels/wasm/wasmKernelThreads';
import {parseBackendName, selectBackend} from '../../src/node/backend';

beforeAll(async () => {
  const requested = parseBackendName(process.env.TFJS_GRU_BACKEND);
  const info = await selectBackend(requested);  // throws BackendUnavailableError for an unavailable request
  if (process.env.TFJS_GRU_BACKEND_VERBOSE) {
    // eslint-disable-next-line no-console
    console.log(`tfjs-gru tests on backend '${info.name}': ${info.reason}`);
  }
});

// A wasm kernel thread pool (TFJS_GRU_WASM_THREADS, or a test's own) ends with its test file:
// each file has its own module registry, so its pool's workers would otherwise outlive it.
afterAll(async () => {
  await setWasmKernelThreads(1);
});
