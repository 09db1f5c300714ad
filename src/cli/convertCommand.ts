import {parseBackendName, selectBackend} from '../node/backend';
import {ModelFileError} from '../io/modelFileError';
import {convertModelFileToDir, ConvertModelFileResult} from '../node/convertModelFile';
import {CommandIo, drainStdout, processIo} from './cliIo';

export const CONVERT_USAGE = `usage: tfjs-gru convert <model file> --out <dir> [--layers builtin|tfjs-gru] [--stack NAME] [--config FILE] [--gru-stack] [--json]
  Writes a tfjs LayersModel (model.json + group1-shard1of1.bin) of the checkpoint's GRU
  stack: input [batch, time, D], output the top layer's full sequence (then the Dense
  layer found after the stack, at every step). Reset-before cells (TF1 GRUCell,
  GRUBlockCell, Keras reset_after=False) become tfjs's built-in GRU (plain
  @tensorflow/tfjs loads the folder); reset-after cells (CudnnCompatibleGRUCell, Keras
  reset_after=True) become tfjs-gru's KerasGRU (import 'tfjs-gru' before loading).
  --layers tfjs-gru writes TF1GRU layers holding the checkpoint's own four tensors.
  Before finishing it loads what it wrote and checks it against the unfused reference
  GRU run on the checkpoint's tensors for a random input (max |error| <= 1e-5).
  Keras files (.keras, .h5, .weights.h5 with config.json beside it), Keras 3 or tf.keras:
  the whole model (Sequential or Functional, several inputs/outputs, shared and nested
  models) with every layer tfjs-layers implements, reset-after GRUs as KerasGRU, weights
  from the file; GRU, Dense and Activation layers are checked against an independent
  reference. A layer tfjs cannot express exactly is refused: one error lists every one.
  --gru-stack: convert only the GRU stack (and the linear Dense after it), naming the
  layers left out.
  --config FILE: the Keras model config (model.to_json(), or a .keras's config.json) of a
  .weights.h5 or weights-only .h5 whose config is not beside it.
`;

export interface ConvertArgs {
  path: string;
  out: string;
  layers?: 'builtin' | 'tfjs-gru';
  stack?: string;
  /** A Keras config JSON file for a .weights.h5 (see OpenModelFileOptions.config). */
  config?: string;
  /** Keras files: only the GRU stack. */
  gruStack?: boolean;
  json?: boolean;
}

function describe(r: ConvertModelFileResult): string {
  const lines = [`converted ${r.source} (${r.format}) → ${r.out}`];
  for (const l of r.layers) {
    lines.push(`  layer ${l.index}: ${l.className} ${l.inputSize} → ${l.units}${l.bidirectional ? ` ×2 (concat)` : ''}  ` +
        `from ${l.cellType} (${l.layout}) ${l.scopes.join(', ')}`);
  }
  if (r.dense != null) lines.push(`  dense: ${r.dense.inputSize} → ${r.dense.units} (linear) from ${r.dense.scope}`);
  if (r.keras != null) {
    const k = r.keras;
    lines.push(k.mode === 'whole-model' ? `  whole model (${k.modelClass}, Keras ${k.kerasVersion ?? '?'}): ${
      k.converted.filter((c) => c.className !== 'InputLayer').map((c) => `${c.name} → ${c.as}`).join(', ')}` :
      `  GRU stack only (${k.wholeModelProblem})`);
    for (const c of k.converted) for (const n of c.notes ?? []) lines.push(`  note: ${c.name}: ${n}`);
    for (const l of k.leftOut) lines.push(`  left out: ${l.name} (${l.className}): ${l.reason}`);
    if (k.layerCheck != null) {
      lines.push(`  checked against an independent reference: ${k.layerCheck.checked.map((c) => c.name).join(', ') || 'none'}`);
      if (k.layerCheck.notChecked.length) {
        lines.push(`  not checked independently: ${k.layerCheck.notChecked.map((c) => `${c.name} (${c.className}: ${c.why})`).join(', ')}`);
      }
    }
  }
  const shape = (s: Array<number | null>) => `[${s.map((d, i) => d ?? (i === 0 ? 'batch' : 'time')).join(', ')}]`;
  lines.push(`  input ${shape(r.inputShape)} → output ${shape(r.outputShape)}`);
  lines.push(`  check: loaded ${r.files.map((f) => f.split('/').pop()).join(' + ')} and ran it against the ${r.keras?.mode === 'whole-model' ?
    `independent reference of ${r.keras.layerCheck?.checked.length ?? 0} layer(s) (unfused GRU / LSTM / SimpleRNN, Conv1D, Dense, normalization, Activation)` : 'unfused reference'} ` +
      `on the file's tensors: max |error| ${r.loadedCheck.maxAbsError.toExponential(2)} <= ${r.loadedCheck.tolerance}`);
  lines.push(r.needsTfjsGru ?
    "  load: import 'tfjs-gru' (registers KerasGRU / TF1GRU / CausalConv1D), then tf.loadLayersModel(...)" :
    '  load: tf.loadLayersModel(...) with plain @tensorflow/tfjs (only built-in layers)');
  return lines.join('\n') + '\n';
}

/** `tfjs-gru convert`: returns the exit code (0 written and checked, 1 failed). */
export async function runConvert(args: ConvertArgs, io: CommandIo = processIo): Promise<number> {
  try {
    const r = await convertModelFileToDir(args.path, args.out, {layers: args.layers, stack: args.stack, config: args.config, gruStack: args.gruStack});
    io.stdout(args.json ? JSON.stringify(r, null, 2) + '\n' : describe(r));
    return 0;
  } catch (e) {
    if (e instanceof ModelFileError) {
      io.stderr(`tfjs-gru convert: ${e.message} [${e.code}]\n`);
      return 1;
    }
    throw e;
  }
}

/** Today's argv parsing for `convert` (the lead moves this onto the shared parser). */
export async function convertCommand(argv: string[]): Promise<number> {
  const args: Partial<ConvertArgs> = {};
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--json') args.json = true;
    else if (a === '--gru-stack') args.gruStack = true;
    else if (a === '--help' || a === '-h') { process.stdout.write(CONVERT_USAGE); return 0; }
    else if (a === '--out' || a === '--layers' || a === '--stack' || a === '--config') {
      const v = argv[++i];
      if (v === undefined) { process.stderr.write(`convert: ${a} needs a value\n${CONVERT_USAGE}`); return 2; }
      if (a === '--out') args.out = v;
      else if (a === '--stack') args.stack = v;
      else if (a === '--config') args.config = v;
      else if (v === 'builtin' || v === 'tfjs-gru') args.layers = v;
      else { process.stderr.write(`convert: --layers must be builtin or tfjs-gru, got '${v}'\n`); return 2; }
    } else if (a.startsWith('--')) { process.stderr.write(`convert: unknown option '${a}'\n${CONVERT_USAGE}`); return 2; }
    else paths.push(a);
  }
  if (paths.length !== 1 || args.out == null) {
    process.stderr.write(`convert: expected one model file path and --out <dir>\n${CONVERT_USAGE}`);
    return 2;
  }
  await selectBackend(parseBackendName(process.env.TFJS_GRU_BACKEND));
  const code = await runConvert({...args, path: paths[0], out: args.out} as ConvertArgs);
  await drainStdout();
  return code;
}
