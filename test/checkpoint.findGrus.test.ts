// GRU discovery and `inspect --json` on every fixture checkpoint, checked against what the
// fixture tool recorded when TensorFlow built each model (case.json: cells, dense), and on
// synthetic variable lists for the namings the fixtures cannot produce with TF 2.21.
import * as fs from 'fs';
import * as path from 'path';

import {Checkpoint, readCheckpointFromBytes} from '../src/io/checkpoint';
import {CheckpointVariable} from '../src/io/checkpoint/bundle';
import {findGrus} from '../src/discovery/findGrus';
import {InspectReport, inspectCheckpoint} from '../src/discovery/inspect';
import {runInspect} from '../src/cli/inspectCommand';
import {ckptPrefix, FIXTURES, readFixtureBytes} from './helpers/checkpointBytes';

const manifest = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'manifest.json'), 'utf8'));
const CASES: string[] = manifest.checkpoints.map((c: string) => c.replace(/^checkpoints\//, ''));

function caseConfig(name: string): any {
  return JSON.parse(fs.readFileSync(path.join(FIXTURES, 'checkpoints', name, 'case.json'), 'utf8')).config;
}

function inspectJson(p: string): {code: number; report: InspectReport | null; stderr: string} {
  let out = '';
  let err = '';
  const code = runInspect({path: p, json: true}, {stdout: (t) => { out += t; }, stderr: (t) => { err += t; }});
  return {code, report: code === 0 ? JSON.parse(out) : null, stderr: err};
}

describe('inspect --json on every fixture checkpoint', () => {
  test.each(CASES)('%s', (name) => {
    const cfg = caseConfig(name);
    const {code, report} = inspectJson(ckptPrefix(name));
    expect(code).toBe(0);
    const r = report!;
    expect(r.variables.map((v) => [v.name, v.shape])).toEqual(cfg.checkpoint_variables.map((v: any) => [v.name, v.shape]));
    expect(r.format).toBe(cfg.format === 'tf2-object-checkpoint' ? 'tf2-object-based' : 'tf1-name-based');
    expect(r.grus.length).toBe(cfg.cells.length);
    for (const cell of cfg.cells) {
      const g = r.grus.find((x) => JSON.stringify(x.variables) === JSON.stringify(
          Object.fromEntries(Object.keys(x.variables).map((k) => [k, cell.variables[k]]))));
      expect([cell.variables, g != null]).toEqual([cell.variables, true]);
      expect([g!.cellType, g!.units, g!.inputSize]).toEqual([cell.type, cell.units, cell.input_dim]);
      if (cell.layer != null) expect([g!.scope, g!.layer, g!.direction]).toEqual([g!.scope, cell.layer, cell.direction]);
      if (cell.scope != null) expect(g!.scope).toBe(cell.scope);
      if (cell.reset_after != null) expect(g!.resetAfter).toBe(cell.reset_after);
    }
    expect(r.stacks.length).toBe(1);
    expect(r.stacks[0].problem).toBeUndefined();
    if (cfg.dense == null) {
      expect(r.stacks[0].dense).toBeNull();
    } else {
      expect([r.stacks[0].dense!.kernel, r.stacks[0].dense!.bias, r.stacks[0].dense!.units])
          .toEqual([cfg.dense.kernel, cfg.dense.bias, cfg.dense.units]);
    }
    const unexplained = r.unexplained.map((v) => v.name);
    expect(unexplained).toEqual(name === 'tf1_adam_dtypes' ? Object.keys(cfg.extras).sort() :
        name === 'tf1_partitioned' ? ['embedding'] : []);
    const optimizer = r.ignored.filter((i) => /optimizer|bookkeeping/.test(i.reason)).map((i) => i.name);
    if (cfg.optimizer_variables) expect(optimizer.sort()).toEqual([...cfg.optimizer_variables, 'global_step'].sort());
    if (name === 'keras_bidi_adam') expect(optimizer.filter((n) => n.includes('.OPTIMIZER_SLOT')).length).toBe(16);  // m and v of the 6 GRU and 2 Dense variables
    if (name === 'keras_bidi_adam') expect(r.ignored.filter((i) => /^optimizer slot '[mv]' of model\//.test(i.reason)).length).toBe(16);
  });

  test('GRUBlockCell with swapped kernel names is assigned by shape', () => {
    const r = inspectJson(ckptPrefix('tf1_block_cell_swapped')).report!;
    expect(r.grus[0].swappedKernelNames).toBe(true);
    expect(r.grus[0].variables.gates_kernel).toBe('encoder/rnn/GRBlockCell/w_c'.replace('GRB', 'GRUB'));
    expect(inspectJson(ckptPrefix('tf1_block_cell')).report!.grus[0].swappedKernelNames).toBeUndefined();
  });

  test('reads no tensor data (TF1), only the object graph (TF2)', () => {
    for (const [name, reads] of [['tf1_multi3_sharded', 0], ['keras_bidi_adam', 1]] as const) {
      const {index, shards} = readFixtureBytes(name);
      let n = 0;
      const ck = readCheckpointFromBytes({index, shards: (i) => { n++; return shards[i]; }});
      inspectCheckpoint(ck);
      expect([name, n]).toEqual([name, reads]);
    }
  });

  test('a missing checkpoint: exit 1 and a message naming the files looked for', () => {
    const {code, stderr} = inspectJson('/no/such/model.ckpt');
    expect(code).toBe(1);
    expect(stderr).toMatch(/\/no\/such\/model\.ckpt\.index.*\[NOT_FOUND\]/);
  });
});

/** A Checkpoint with only a variable list (findGrus reads nothing else for TF1 checkpoints). */
function fake(vars: Array<[string, number[]]>): Checkpoint {
  const variables: CheckpointVariable[] = vars.map(([name, shape]) =>
    ({name, dtype: 'float32', shape, bytes: 4 * shape.reduce((a, b) => a * b, 1), shard: 0, partitioned: false}));
  return {prefix: 'fake', variables, objectGraph: null, header: {numShards: 1, endianness: 'little', version: null}} as unknown as Checkpoint;
}

function tf1Cell(scope: string, d: number, u: number, names = ['gates/kernel', 'gates/bias', 'candidate/kernel', 'candidate/bias']):
    Array<[string, number[]]> {
  return [[`${scope}/${names[0]}`, [d + u, 2 * u]], [`${scope}/${names[1]}`, [2 * u]],
    [`${scope}/${names[2]}`, [d + u, u]], [`${scope}/${names[3]}`, [u]]];
}

describe('findGrus on variable lists', () => {
  test('TF <= 0.12 MultiRNNCell names (RNN/MultiRNNCell/Cell0/GRUCell/...) and fully_connected', () => {
    const tf0 = ['Gates/Linear/Matrix', 'Gates/Linear/Bias', 'Candidate/Linear/Matrix', 'Candidate/Linear/Bias'];
    const d = findGrus(fake([...tf1Cell('RNN/MultiRNNCell/Cell0/GRUCell', 3, 4, tf0),
      ...tf1Cell('RNN/MultiRNNCell/Cell1/GRUCell', 4, 2, tf0),
      ['fully_connected/weights', [2, 5]], ['fully_connected/biases', [5]], ['global_step', []]]));
    expect(d.stacks.length).toBe(1);
    expect(d.stacks[0].name).toBe('RNN/MultiRNNCell');
    expect(d.grus.map((g) => [g.layer, g.naming, g.inputSize, g.units])).toEqual([[0, 'tf0.x', 3, 4], [1, 'tf0.x', 4, 2]]);
    expect(d.stacks[0].dense!.variables).toEqual({kernel: 'fully_connected/weights', bias: 'fully_connected/biases'});
    expect(d.ignored.map((i) => i.name)).toEqual(['global_step']);
  });

  test('shape, not the last name: a kernel of the wrong width is not a GRU, and is left unexplained', () => {
    const d = findGrus(fake([['rnn/gru_cell/gates/kernel', [7, 9]], ['rnn/gru_cell/gates/bias', [8]],
      ['rnn/gru_cell/candidate/kernel', [7, 4]], ['rnn/gru_cell/candidate/bias', [4]]]));
    expect(d.grus).toEqual([]);
    expect(d.unexplained.length).toBe(4);
  });

  test('Keras names in TF1-style checkpoints, Bidirectional, CuDNNGRU bias (6U,), Momentum slots', () => {
    const k = (s: string, d: number, u: number, bias: number[]): Array<[string, number[]]> =>
      [[`${s}/kernel`, [d, 3 * u]], [`${s}/recurrent_kernel`, [u, 3 * u]], [`${s}/bias`, bias]];
    const d = findGrus(fake([...k('bidirectional/forward_gru/gru_cell', 3, 4, [2, 12]),
      ...k('bidirectional/backward_gru/gru_cell', 3, 4, [2, 12]), ['bidirectional/forward_gru/gru_cell/kernel/Momentum', [3, 12]],
      ...k('gru_1/gru_cell', 8, 5, [15]), ...k('cu_dnngru/cu_dnngru_cell', 2, 3, [18])]));
    const byScope = Object.fromEntries(d.grus.map((g) => [g.scope, [g.layout, g.direction, g.stack]]));
    expect(byScope).toEqual({
      'bidirectional/forward_gru/gru_cell': ['keras-reset-after', 'fw', ''],
      'bidirectional/backward_gru/gru_cell': ['keras-reset-after', 'bw', ''],
      'gru_1/gru_cell': ['keras', 'forward', ''],
      'cu_dnngru/cu_dnngru_cell': ['keras-cudnn', 'forward', ''],
    });
    expect(d.ignored.map((i) => i.reason)).toEqual(["optimizer slot 'Momentum' of bidirectional/forward_gru/gru_cell/kernel"]);
  });

  test('a bidirectional pair of whole stacks is found but flagged as not convertible', () => {
    const d = findGrus(fake([...tf1Cell('bidirectional_rnn/fw/multi_rnn_cell/cell_0/gru_cell', 3, 4),
      ...tf1Cell('bidirectional_rnn/fw/multi_rnn_cell/cell_1/gru_cell', 4, 4),
      ...tf1Cell('bidirectional_rnn/bw/multi_rnn_cell/cell_0/gru_cell', 3, 4),
      ...tf1Cell('bidirectional_rnn/bw/multi_rnn_cell/cell_1/gru_cell', 4, 4)]));
    expect(d.grus.length).toBe(4);
    expect(d.stacks.length).toBe(1);
    expect(d.stacks[0].problem).toMatch(/'fw' encloses the layers/);
  });

  test('two separate models: two stacks; inconsistent layer sizes are a problem', () => {
    const d = findGrus(fake([...tf1Cell('encoder/rnn/gru_cell', 3, 4), ...tf1Cell('decoder/rnn/gru_cell', 5, 6),
      ...tf1Cell('x/multi_rnn_cell/cell_0/gru_cell', 3, 4), ...tf1Cell('x/multi_rnn_cell/cell_1/gru_cell', 5, 4)]));
    expect(d.stacks.map((s) => s.name).sort()).toEqual(['decoder/rnn', 'encoder/rnn', 'x/multi_rnn_cell']);
    expect(d.stacks.find((s) => s.name === 'x/multi_rnn_cell')!.problem).toMatch(/takes inputs of size 5, but layer 0 outputs 4/);
  });
});
