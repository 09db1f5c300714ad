import {parseBackendName, selectBackend} from '../node/backend';
import {ModelFileError} from '../io/modelFileError';
import {convertModelFileToDir, ConvertModelFileResult} from '../node/convertModelFile';
import {CommandIo, drainStdout, processIo} from './cliIo';

export const CONVERT_USAGE = `usage: tfjs-gru convert <model file> --out <dir> [--force] [--layers builtin|tfjs-gru] [--stack NAME] [--config FILE] [--json]
  Writes a tfjs LayersModel (model.json + group1-shard1of1.bin) of the checkpoint's GRU
  stack: input [batch, time, D], output the top layer's full sequence (then the Dense
  layer found after the stack, at every step). Reset-before cells (TF1 GRUCell,
  GRUBlockCell, Keras reset_after=False) become tfjs's built-in GRU (plain
  @tensorflow/tfjs loads the folder); reset-after cells (CudnnCompatibleGRUCell, Keras
  reset_after=True) become tfjs-gru's KerasGRU (import 'tfjs-gru' before loading).
  --layers tfjs-gru writes TF1GRU layers holding the checkpoint's own four tensors.
  Before finishing it loads what it wrote and checks it against the unfused reference
  GRU run on the checkpoint's tensors for a random input (max |error| <= 1e-5 × max(1, max
  |reference output|); NaN/Inf weights are refused as NON_FINITE: the check cannot judge them).
  Keras files (.keras, .h5, .weights.h5 with config.json beside it): the whole model from
  its config when every layer maps exactly to tfjs (Embedding, Masking, Dropout, Dense,
  Activation, GRU, CuDNNGRU, Bidirectional(GRU)), checked against a layer-by-layer
  reference; otherwise only the GRU stack, naming the layers left out and why.
  The files are written into a temporary folder beside <dir> and moved there only when the
  check passes: a failure leaves <dir> as it was. A <dir> that is not empty is refused
  (OUT_EXISTS) unless --force, which replaces only model.json and group1-shard1of1.bin.
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
  /** Replace convert's own files in a non-empty --out. */
  force?: boolean;
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
    lines.push(k.mode === 'whole-model' ? `  whole model (${k.modelClass}, Keras ${k.kerasVersion ?? '?'}): ${k.converted.map((c) => `${c.name} → ${c.as}`).join(', ')}` :
      `  GRU stack only (${k.wholeModelProblem})`);
    for (const l of k.leftOut) lines.push(`  left out: ${l.name} (${l.className}): ${l.reason}`);
  }
  const shape = (s: Array<number | null>) => `[${s.map((d, i) => d ?? (i === 0 ? 'batch' : 'time')).join(', ')}]`;
  lines.push(`  input ${shape(r.inputShape)} → output ${shape(r.outputShape)}`);
  lines.push(`  check: loaded ${r.files.map((f) => f.split('/').pop()).join(' + ')} and ran it against the ${r.keras?.mode === 'whole-model' ? 'layer-by-layer reference (unfused GRUs)' : 'unfused reference'} ` +
      `on the file's tensors: max |error| ${r.loadedCheck.maxAbsError.toExponential(2)} <= ${Number(r.loadedCheck.tolerance.toPrecision(3))}`);
  lines.push(r.needsTfjsGru ?
    "  load: import 'tfjs-gru' (registers KerasGRU / TF1GRU), then tf.loadLayersModel(...)" :
    '  load: tf.loadLayersModel(...) with plain @tensorflow/tfjs (only built-in layers)');
  return lines.join('\n') + '\n';
}

/** `tfjs-gru convert`: returns the exit code (0 written and checked, 1 failed). */
export async function runConvert(args: ConvertArgs, io: CommandIo = processIo): Promise<number> {
  try {
    const r = await convertModelFileToDir(args.path, args.out, {layers: args.layers, stack: args.stack, config: args.config,
      force: args.force});
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
    else if (a === '--force') args.force = true;
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
