/**
 * A {@link GruStack} from cells already placed by a format's discovery (PyTorch
 * state_dicts, ONNX graphs): layers in order, each one cell ('forward' or 'reverse')
 * or an fw + bw pair, checked as findGrus checks a checkpoint's stacks (alike halves,
 * each layer's input size the previous layer's output size), a `problem` saying why
 * when the stack is not one tfjs layer sequence.
 */
import {FoundDense, FoundGru, GruStack} from './findGrus';

/** Builds the stack `name` of `layers` (cells of layer i, fw first); sets each cell's `layer`. */
export function assembleStack(name: string, layers: FoundGru[][], dense: FoundDense | null = null, problem?: string): GruStack {
  const stack: GruStack = {name, layers: [], inputSize: 0, outputSize: 0, dense};
  layers.forEach((cells, index) => {
    cells.sort((a, b) => (a.direction === 'bw' ? 1 : 0) - (b.direction === 'bw' ? 1 : 0));
    for (const c of cells) c.layer = index;
    const dirs = cells.map((c) => c.direction).join('+');
    const bidirectional = dirs === 'fw+bw';
    if (cells.length === 0 && problem == null) problem = `layer ${index} has no cell`;
    if (!(dirs === 'forward' || dirs === 'reverse' || bidirectional) && problem == null) {
      problem = `layer ${index} has cells ${cells.map((c) => `${c.scope} (${c.direction})`).join(', ') || '(none)'}: ` +
          'expected one cell, or an fw and a bw cell';
    }
    if (bidirectional && problem == null) {
      const [f, b] = cells;
      if (f.units !== b.units || f.inputSize !== b.inputSize || f.layout !== b.layout) {
        problem = `layer ${index}: the fw cell (${f.layout}, ${f.inputSize}→${f.units}) and the bw cell ` +
            `(${b.layout}, ${b.inputSize}→${b.units}) differ; tfjs's Bidirectional needs two alike`;
      }
    }
    const units = cells[0]?.units ?? 0;
    const outputSize = units * (bidirectional ? 2 : 1);
    const inputSize = cells[0]?.inputSize ?? 0;
    if (index > 0 && problem == null && inputSize !== stack.layers[index - 1].outputSize) {
      problem = `layer ${index} (${cells[0].scope}) takes inputs of size ${inputSize}, but layer ${index - 1} ` +
          `outputs ${stack.layers[index - 1].outputSize}`;
    }
    stack.layers.push({index, bidirectional, cells, inputSize, outputSize});
  });
  stack.inputSize = stack.layers[0]?.inputSize ?? 0;
  stack.outputSize = stack.layers[stack.layers.length - 1]?.outputSize ?? 0;
  if (problem != null) stack.problem = problem;
  return stack;
}
