/**
 * Backend selection (src/backend.ts) and the jest/tfjs-node realm fix
 * (test/setup/nodeEnvironment.ts). Runs on whatever backend TFJS_GRU_BACKEND
 * asks for (test/setup/backend.ts has already activated it).
 */
import * as tf from '@tensorflow/tfjs';
import * as wasmBackend from '@tensorflow/tfjs-backend-wasm';
import {BackendName, backendInfo, parseBackendName, selectBackend} from '../src/node/backend';

type BackendModule = typeof import('../src/node/backend');

const requested = parseBackendName(process.env.TFJS_GRU_BACKEND);

describe('active backend', () => {
  it('backendInfo names the active backend', () => {
    const info = backendInfo();
    expect(info.name).toBe(tf.getBackend());
    if (requested) expect(info.name).toBe(requested);
    expect(info.reason.length).toBeGreaterThan(0);
  });

  it('runs tensors, matMul and dataSync with this realm\'s typed arrays', () => {
    const a = tf.tensor2d([[1, 2], [3, 4]]);
    const c = tf.matMul(a, a);
    const d = c.dataSync();
    // On tfjs-node these arrays come from the native addon; without the shared-constructor
    // test environment they would be another realm's Float32Array.
    expect(d).toBeInstanceOf(Float32Array);
    expect(d).toStrictEqual(new Float32Array([7, 10, 15, 22]));
    const i = tf.cast(c, 'int32').dataSync();
    expect(i).toBeInstanceOf(Int32Array);
    expect(tf.tensor(d, [2, 2]).arraySync()).toEqual([[7, 10], [15, 22]]);
    tf.dispose([a, c]);
  });

  it('predicts with tf.layers.gru', () => {
    const model = tf.sequential();
    model.add(tf.layers.gru({units: 4, inputShape: [3, 2], returnSequences: true, recurrentActivation: 'sigmoid', kernelInitializer: 'ones',
                             recurrentInitializer: 'zeros', biasInitializer: 'zeros'}));
    const y = model.predict(tf.ones([2, 3, 2])) as tf.Tensor;
    expect(y.shape).toEqual([2, 3, 4]);
    const v = y.dataSync();
    expect(v).toBeInstanceOf(Float32Array);
    // z = sigmoid(2), r irrelevant (h0 = 0), hh = tanh(2): h1 = (1 - z) * hh.
    const z = 1 / (1 + Math.exp(-2));
    expect(v[0]).toBeCloseTo((1 - z) * Math.tanh(2), 5);
    model.dispose();
  });
});

describe('parseBackendName', () => {
  it('accepts the three names, node as an alias, auto/empty as no preference', () => {
    expect(parseBackendName('tensorflow')).toBe('tensorflow');
    expect(parseBackendName('node')).toBe('tensorflow');
    expect(parseBackendName('WASM')).toBe('wasm');
    expect(parseBackendName('cpu')).toBe('cpu');
    expect(parseBackendName('auto')).toBeUndefined();
    expect(parseBackendName('')).toBeUndefined();
    expect(parseBackendName(undefined)).toBeUndefined();
    expect(() => parseBackendName('webgpu')).toThrow(/unknown backend 'webgpu'/);
  });

  it('selectBackend rejects an unknown name', async () => {
    await expect(selectBackend('webgpu' as BackendName)).rejects.toThrow(/unknown backend 'webgpu'/);
  });

  it('the Node entry refuses webgl, saying it needs a browser; parseBackendName there refuses it too', async () => {
    await expect(selectBackend('webgl')).rejects.toThrow(/backend 'webgl' was requested but is not available: WebGL needs a browser/);
    expect(() => parseBackendName('webgl')).toThrow(/unknown backend 'webgl'; expected one of tensorflow, wasm, cpu/);
  });

  it("the package root's selectBackend refuses tensorflow, naming the Node entry, and picks wasm first", async () => {
    const root = await import('../src/backend');
    await expect(root.selectBackend('tensorflow')).rejects.toThrow(/tfjs-node runs only in Node: use selectBackend of the Node entry, tfjs-gru\/node/);
    expect(root.parseBackendName('webgl')).toBe('webgl');
    const info = await root.selectBackend();
    expect(info.name).toBe('wasm');
    expect(info.reason).toMatch(/first choice of wasm, webgl, cpu/);
    expect(info.gruKernel).toMatch(/wasm-simd( ×\d+ threads)? whole-sequence kernel|tfjs ops/);
    // wasmPaths once the backend runs: its .wasm is loaded already; the request still succeeds
    await expect(root.selectBackend('wasm', {wasmPaths: '/elsewhere/'})).resolves.toMatchObject({name: 'wasm'});
    await selectBackend(requested);  // back to the backend this run tests
  });
});

/**
 * Runs `body` with a second copy of src/backend.ts whose `require('@tensorflow/tfjs-node')` (and
 * optionally the wasm package) fails like it does on a machine without the addon. '@tensorflow/tfjs'
 * and the wasm package are the already loaded instances, so there is still one engine. The whole body
 * runs inside the isolated registry because backend.ts requires the backends lazily.
 */
async function withBackendModule(failures: {tfjsNode?: Error, wasm?: Error},
                                 body: (b: BackendModule) => Promise<void>): Promise<void> {
  await jest.isolateModulesAsync(async () => {
    jest.doMock('@tensorflow/tfjs', () => tf);
    jest.doMock('@tensorflow/tfjs-node', () => {
      throw failures.tfjsNode ?? new Error('unexpected load of tfjs-node');
    });
    jest.doMock('@tensorflow/tfjs-backend-wasm', () => {
      if (failures.wasm) throw failures.wasm;
      return wasmBackend;
    });
    await body(require('../src/node/backend') as BackendModule);
  });
}

describe('unavailable backends', () => {
  const notBuilt = new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: ' +
                             '/x/lib/napi-v8/tfjs_binding.node. \nPlease run command ...');
  const notInstalled = Object.assign(new Error("Cannot find module '@tensorflow/tfjs-node' from 'src/backend.ts'"),
                                     {code: 'MODULE_NOT_FOUND'});

  afterEach(async () => {
    jest.dontMock('@tensorflow/tfjs');
    jest.dontMock('@tensorflow/tfjs-node');
    jest.dontMock('@tensorflow/tfjs-backend-wasm');
    await selectBackend(requested);  // back to the backend this run tests
  });

  it('an explicit request for tfjs-node without its addon throws, naming setup-node', async () => {
    await withBackendModule({tfjsNode: notBuilt}, async (b) => {
      await expect(b.selectBackend('tensorflow')).rejects.toThrow(
          /backend 'tensorflow' was requested but is not available: tfjs-node addon not built: run `npx tfjs-gru setup-node`/);
      await expect(b.selectBackend('tensorflow')).rejects.toBeInstanceOf(b.BackendUnavailableError);
    });
  });

  it('without a preference, falls back to wasm and says why', async () => {
    await withBackendModule({tfjsNode: notBuilt}, async (b) => {
      const info = await b.selectBackend();
      expect(info.name).toBe('wasm');
      expect(info.reason).toMatch(/tensorflow: tfjs-node addon not built: run `npx tfjs-gru setup-node`/);
      expect(b.backendInfo()).toEqual(info);
      expect(tf.getBackend()).toBe('wasm');
    });
  });

  it('reports a missing tfjs-node package as not installed', async () => {
    await withBackendModule({tfjsNode: notInstalled}, async (b) => {
      await expect(b.selectBackend('tensorflow')).rejects.toThrow(/@tensorflow\/tfjs-node is not installed/);
    });
  });

  it('falls back to cpu when wasm fails too, and an explicit wasm request throws', async () => {
    await withBackendModule({tfjsNode: notBuilt, wasm: new Error('no wasm here')}, async (b) => {
      await expect(b.selectBackend('wasm')).rejects.toThrow(/backend 'wasm' was requested but is not available: .*no wasm here/);
      const info = await b.selectBackend();
      expect(info.name).toBe('cpu');
      expect(info.reason).toMatch(/tensorflow: tfjs-node addon not built.*; wasm: .*no wasm here/);
    });
  });
});
