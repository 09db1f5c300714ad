/**
 * The page side of `npm run bench:stream-browser` (streamBrowser.js): the streaming model of streamSpec.ts run
 * frame by frame in the page by tfjs-gru/stream and by onnxruntime-web (state carried by the caller), passes
 * alternating; per-frame medians, and the largest output difference between the two.
 */
import {STREAM, streamData, streamModelFiles} from '../streamSpec';
import {streamModel} from '../onnxModel';
import {createGruStreamSync} from '../../../src/stream/index';

/** The page's globals this file uses (the project's TypeScript settings have no DOM library). */
interface PageGlobals {
  ort: Ort;
  runStreamBench?: (runs: number) => Promise<object>;
  WebAssembly: {compile(bytes: ArrayBuffer): Promise<object>};
  fetch(url: string): Promise<{arrayBuffer(): Promise<ArrayBuffer>}>;
  performance: {now(): number};
  crossOriginIsolated: boolean;
  navigator: {userAgent: string};
}
const page = globalThis as unknown as PageGlobals;

interface OrtTensor { data: Float32Array; }
interface Ort {
  env: {wasm: {wasmPaths?: string, numThreads?: number}};
  Tensor: new (type: 'float32', data: Float32Array, dims: number[]) => OrtTensor;
  InferenceSession: {create(model: Uint8Array, options: object): Promise<{run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>}>};
}

page.runStreamBench = async (runs: number) => {
  const ort = page.ort;
  ort.env.wasm.wasmPaths = '/bench/peers/node_modules/onnxruntime-web/dist/';
  const d = streamData(1);
  const {U, D, O, frames} = STREAM;
  const wasm = await page.WebAssembly.compile(await (await page.fetch('/dist/browser/gru_kernel.wasm')).arrayBuffer());
  const stream = createGruStreamSync(streamModelFiles(d), {wasm});
  const model = streamModel(U, d.grus.map((g) => ({inputSize: g.inputSize, kernel: g.kernel, recurrentKernel: g.recurrentKernel,
    inputBias: g.bias, recurrentBias: new Float32Array(3 * U)})), {kernel: d.dense.kernel, bias: d.dense.bias, units: O}, 0);
  const session = await ort.InferenceSession.create(model, {executionProviders: ['wasm'], graphOptimizationLevel: 'all'});
  const frame = (t: number) => d.x.subarray(t * D, (t + 1) * D);
  const passStream = () => {
    stream.reset();
    const out: Float32Array[] = [];
    for (let t = 0; t < frames; t++) out.push(stream.step(frame(t)).slice());
    return out;
  };
  const passOrt = async () => {
    let h = d.grus.map(() => new ort.Tensor('float32', new Float32Array(U), [1, 1, U]));
    const out: Float32Array[] = [];
    for (let t = 0; t < frames; t++) {
      const feeds: Record<string, OrtTensor> = {X: new ort.Tensor('float32', frame(t), [1, 1, D])};
      h.forEach((v, k) => { feeds[`H${k + 1}`] = v; });
      const r = await session.run(feeds);
      out.push(r.OUT.data);
      h = d.grus.map((_, k) => r[`Yh${k + 1}`]);
    }
    return out;
  };
  const a = passStream(), b = await passOrt();
  let maxAbsDiff = 0;
  a.forEach((f, t) => f.forEach((v, j) => { maxAbsDiff = Math.max(maxAbsDiff, Math.abs(v - b[t][j])); }));
  for (let r = 0; r < 3; r++) { passStream(); await passOrt(); }
  const s: number[] = [], o: number[] = [];
  for (let r = 0; r < runs; r++) {
    let t0 = page.performance.now();
    passStream();
    s.push((page.performance.now() - t0) / frames);
    t0 = page.performance.now();
    await passOrt();
    o.push((page.performance.now() - t0) / frames);
  }
  const med = (x: number[]) => { const y = [...x].sort((p, q) => p - q); return y[y.length >> 1]; };
  return {streamMs: med(s), streamMinMs: Math.min(...s), ortWebMs: med(o), ortWebMinMs: Math.min(...o), maxAbsDiff,
    ortThreads: ort.env.wasm.numThreads, crossOriginIsolated: page.crossOriginIsolated,
    userAgent: page.navigator.userAgent};
};
