/**
 * GRU discovery in a PyTorch state_dict (a safetensors file, or any {@link TensorSource}
 * of PyTorch names): every `nn.GRU` module, whatever prefix the model gives it
 * (`weight_ih_l0`, `gru.weight_ih_l0`, `encoder.rnn.weight_ih_l1_reverse`, ...), its
 * layers `_l0`, `_l1`, … and `_reverse` halves, plus the `nn.Linear` that follows it.
 *
 * "Follows" is decided from the tensors alone, since a state_dict does not record the
 * forward pass: a module `<p>weight` [K, F] with `<p>bias` [K], where F is the GRU's
 * output size (U, or 2U when bidirectional), inside the GRU module's parent module,
 * and the only such pair there. Several candidates, or a weight without bias (an
 * nn.Embedding has the same shape), are left unexplained rather than guessed.
 */
import {SourceVariable, TensorSource} from '../io/tensorSource';
import {assembleStack} from './gruStack';
import {Discovery, FoundDense, FoundGru, GruStack} from './findGrus';

const PARAM = /^(.*?)(weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)(_reverse)?$/;
const FLOAT = new Set(['F32', 'F16', 'BF16', 'F64', 'float32', 'float16', 'bfloat16', 'float64']);

interface Param { v: SourceVariable; kind: string; layer: number; reverse: boolean }

const dimsAre = (v: SourceVariable | undefined, ...dims: number[]) =>
  v != null && FLOAT.has(v.dtype) && v.shape.length === dims.length && v.shape.every((d, i) => d === dims[i]);

function moduleName(prefix: string): string {
  return prefix.endsWith('.') ? prefix.slice(0, -1) : prefix;
}

function parentOf(module: string): string {
  const i = module.lastIndexOf('.');
  return i < 0 ? '' : module.slice(0, i + 1);
}

/** One layer-direction of a GRU module: its four tensors checked against each other, or why not. */
function cellOf(module: string, layer: number, reverse: boolean, byKind: Map<string, SourceVariable>, bidirectional: boolean):
    FoundGru | string {
  const sfx = `_l${layer}${reverse ? '_reverse' : ''}`;
  const ih = byKind.get('weight_ih');
  const hh = byKind.get('weight_hh');
  const bi = byKind.get('bias_ih');
  const bh = byKind.get('bias_hh');
  const where = `${module === '' ? '' : `${module}.`}*${sfx}`;
  if (ih == null || hh == null) return `${where}: weight_ih${sfx} and weight_hh${sfx} are both needed`;
  if (hh.shape.length !== 2 || hh.shape[0] !== 3 * hh.shape[1] || hh.shape[1] === 0 || !FLOAT.has(hh.dtype)) {
    return `${where}: weight_hh${sfx} is ${hh.dtype} [${hh.shape.join(', ')}], expected a float [3U, U]`;
  }
  const u = hh.shape[1];
  if (!(ih.shape.length === 2 && ih.shape[1] > 0 && dimsAre(ih, 3 * u, ih.shape[1]))) {
    return `${where}: weight_ih${sfx} is ${ih.dtype} [${ih.shape.join(', ')}], expected a float [${3 * u}, D]`;
  }
  if ((bi == null) !== (bh == null)) return `${where}: bias_ih${sfx} and bias_hh${sfx} must both be present or both absent`;
  for (const [n, b] of [['bias_ih', bi], ['bias_hh', bh]] as const) {
    if (b != null && !dimsAre(b, 3 * u)) return `${where}: ${n}${sfx} is ${b.dtype} [${b.shape.join(', ')}], expected [${3 * u}]`;
  }
  const variables: Record<string, string> = {weight_ih_l0: ih.name, weight_hh_l0: hh.name};
  if (bi != null && bh != null) Object.assign(variables, {bias_ih_l0: bi.name, bias_hh_l0: bh.name});
  return {scope: `${module === '' ? '' : `${module}.`}*${sfx}`, cellType: 'torch.nn.GRU', layout: 'pytorch', resetAfter: true,
    inputSize: ih.shape[1], units: u, stack: module, layer, direction: bidirectional ? (reverse ? 'bw' : 'fw') : 'forward',
    variables};
}

/**
 * Every nn.GRU of a PyTorch state_dict, its stacks and following nn.Linear, and what is left over.
 * @category Conversion
 */
export function findTorchGrus(source: TensorSource): Discovery {
  const modules = new Map<string, Param[]>();
  for (const v of source.variables) {
    const m = PARAM.exec(v.name);
    if (m == null || !(m[1] === '' || m[1].endsWith('.'))) continue;
    const mod = moduleName(m[1]);
    if (!modules.has(mod)) modules.set(mod, []);
    modules.get(mod)!.push({v, kind: m[2], layer: Number(m[3]), reverse: m[4] != null});
  }
  const used = new Set<string>();
  const grus: FoundGru[] = [];
  const stacks: GruStack[] = [];
  for (const [mod, params] of modules) {
    // a GRU module has a weight_hh [3U, U]; an LSTM's is [4U, U], an RNN's [U, U]: never taken for a GRU
    if (!params.some((p) => p.kind === 'weight_hh' && p.v.shape.length === 2 && p.v.shape[1] > 0 &&
                            p.v.shape[0] === 3 * p.v.shape[1])) continue;
    const bidirectional = params.some((p) => p.reverse);
    const nLayers = Math.max(...params.map((p) => p.layer)) + 1;
    const layers: FoundGru[][] = [];
    let problem: string | undefined;
    for (let k = 0; k < nLayers; k++) {
      const cells: FoundGru[] = [];
      for (const reverse of bidirectional ? [false, true] : [false]) {
        const byKind = new Map(params.filter((p) => p.layer === k && p.reverse === reverse).map((p) => [p.kind, p.v]));
        const c = cellOf(mod, k, reverse, byKind, bidirectional);
        if (typeof c === 'string') {
          problem = problem ?? c;
          continue;
        }
        cells.push(c);
      }
      layers.push(cells);
    }
    const found = layers.flat();
    if (problem == null) for (const c of found) for (const name of Object.values(c.variables)) used.add(name);
    grus.push(...found);
    stacks.push(assembleStack(mod, layers, null, problem));
  }

  // the nn.Linear after each stack (see the module comment)
  const byName = new Map(source.variables.map((v) => [v.name, v]));
  for (const stack of stacks) {
    if (stack.problem != null) continue;
    const parent = parentOf(stack.name);
    const fits: FoundDense[] = [];
    for (const v of source.variables) {
      if (!v.name.endsWith('weight') || used.has(v.name) || !v.name.startsWith(parent)) continue;
      const prefix = v.name.slice(0, -'weight'.length);
      if (!(prefix === '' || prefix.endsWith('.'))) continue;
      const b = byName.get(`${prefix}bias`);
      if (v.shape.length !== 2 || !FLOAT.has(v.dtype) || v.shape[1] !== stack.outputSize || b == null || used.has(b.name) ||
          !dimsAre(b, v.shape[0])) continue;
      fits.push({scope: moduleName(prefix), inputSize: v.shape[1], units: v.shape[0],
        variables: {kernel: v.name, bias: b.name}, transposedKernel: true});
    }
    if (fits.length === 1) {
      stack.dense = fits[0];
      used.add(fits[0].variables.kernel);
      used.add(fits[0].variables.bias!);
    }
  }
  return {grus, stacks, ignored: [], unexplained: source.variables.filter((v) => !used.has(v.name))};
}
