import {Command, Option} from 'commander';

import {backendInfo, parseBackendName, selectBackend} from '../node/backend';
import {ModelFileError} from '../io/modelFileError';
import {convertModelFileToDir, ConvertModelFileResult} from '../node/convertModelFile';
import {convertOnnxGraphToDir, OnnxGraphConvertResult} from '../node/convertOnnxGraph';
import {formatOf} from '../node/modelFormats';
import {QuantizeMode} from '../io/quantizeWeights';
import {CommandIo, drainStdout, processIo} from './cliIo';
import {backendOption, CliContext, jsonOption, quietOption, UsageError} from './context';
import {INPUT_FORMATS_SHORT, inputFormatsHelp} from './modelFileHelp';

export interface ConvertArgs {
  path: string;
  out: string;
  layers?: 'builtin' | 'tfjs-gru';
  stack?: string;
  /** A Keras config JSON file for a .weights.h5 (see OpenModelFileOptions.config). */
  config?: string;
  /** A key map renaming the file's tensors (see OpenModelFileOptions.rename). */
  rename?: string;
  /** Replace convert's own files in a non-empty --out. */
  force?: boolean;
  json?: boolean;
  /** ONNX and Keras files: the GRU stack alone (a LayersModel), not the whole model. */
  gruStack?: boolean;
  /** Store float32 weights as float16 or uint8 (tfjs's quantized weight manifest). */
  quantize?: QuantizeMode;
}

function describeGraph(r: OnnxGraphConvertResult): string {
  const info = (t: {name: string; dtype: string; onnxShape: Array<number | string | null> | null}) =>
    `${t.name} ${t.dtype} [${t.onnxShape == null ? '?' : t.onnxShape.map((d) => d ?? '?').join(', ')}]`;
  const lines = [`converted ${r.source} (onnx, whole graph) → ${r.out}`];
  lines.push(`  inputs:  ${r.inputs.map(info).join(', ')}`);
  lines.push(`  outputs: ${r.outputs.map(info).join(', ')}`);
  lines.push(`  ops: ${Object.entries(r.ops).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
  lines.push(`  ${r.grus} GRU node(s) on tfjs-gru's kernels; ${r.folded} node(s) folded at conversion; ${r.dropped} unused node(s) dropped; ` +
      `weights ${(r.weightBytes / 1e6).toFixed(2)} MB`);
  lines.push(`  check (${r.check.kind}): ${r.check.description}: max |error| ${r.check.maxAbsError.toExponential(2)} <= ` +
      `${r.check.tolerance.toExponential(2)}`);
  const q = r.check.quantization;
  if (q != null) {
    lines.push(`  quantized ${q.mode}: the written model differs from the float32 graph by max |error| ${q.maxAbsError.toExponential(2)} ` +
        `(outputs up to ${q.maxAbsReference.toExponential(2)})`);
  }
  lines.push("  load: import 'tfjs-gru' (registers the ONNX op executors), then tf.loadGraphModel(...); run with " +
      'model.execute({name: tensor}, outputNames) or runOnnxGraph(model, inputs)');
  return lines.join('\n') + '\n';
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
  const ran = r.quantization != null ? 'ran the float32 model' : `loaded ${r.files.map((f) => f.split('/').pop()).join(' + ')} and ran it`;
  lines.push(`  check: ${ran} against the ${r.keras?.mode === 'whole-model' ?
    `independent reference of ${r.keras.layerCheck?.checked.length ?? 0} layer(s) (unfused GRU / LSTM / SimpleRNN, Conv1D, Dense, normalization, Activation)` : 'unfused reference'} ` +
      `on the file's tensors: max |error| ${r.loadedCheck.maxAbsError.toExponential(2)} <= ${Number(r.loadedCheck.tolerance.toPrecision(3))}`);
  if (r.quantization != null) {
    const q = r.quantization;
    lines.push(`  quantized ${q.mode}: the float32 model passed the check; the written one differs from it by max |error| ` +
        `${q.maxAbsError.toExponential(2)} (outputs up to ${q.maxAbsReference.toExponential(2)})`);
  }
  lines.push(r.needsTfjsGru ?
    "  load: import 'tfjs-gru' (registers KerasGRU / TF1GRU / CausalConv1D), then tf.loadLayersModel(...)" :
    '  load: tf.loadLayersModel(...) with plain @tensorflow/tfjs (only built-in layers)');
  return lines.join('\n') + '\n';
}

/** `tfjs-gru convert`: returns the exit code (0 written and checked, 1 failed). */
export async function runConvert(args: ConvertArgs, io: CommandIo = processIo): Promise<number> {
  try {
    if (formatOf(args.path).name === 'onnx' && !args.gruStack) {
      const g = await convertOnnxGraphToDir(args.path, args.out, {quantize: args.quantize, force: args.force});
      io.stdout(args.json ? JSON.stringify(g, null, 2) + '\n' : describeGraph(g));
      return 0;
    }
    const r = await convertModelFileToDir(args.path, args.out, {layers: args.layers, stack: args.stack, config: args.config,
      rename: args.rename, force: args.force, gruStack: args.gruStack, quantize: args.quantize});
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

interface ConvertFlags {
  out?: string;
  force?: boolean;
  layers?: 'builtin' | 'tfjs-gru';
  stack?: string;
  config?: string;
  rename?: string;
  backend?: string;
  json?: boolean;
  quiet?: boolean;
  gruStack?: boolean;
  quantize?: QuantizeMode;
}

/**
 * `tfjs-gru convert <model file> --out <dir>`: a tfjs LayersModel folder of the file's
 * GRU stack (or whole Keras model), or a GraphModel of a whole ONNX graph, loaded back and
 * checked before it counts as done.
 */
export function registerConvert(program: Command, ctx: CliContext): void {
  program.command('convert')
      .description(`write a model file as a tfjs model folder, checked: a whole ONNX graph, or the GRUs (${INPUT_FORMATS_SHORT})`)
      .argument('<model-file>', 'the model file (a checkpoint: its prefix, .index file, or folder)')
      .option('--out <dir>', 'the folder to write model.json and group1-shard1of1.bin into (required; new or empty)')
      .option('--force', 'write into a non-empty --out: replace only model.json and group1-shard1of1.bin there, keep every other file')
      .addOption(new Option('--layers <kind>', 'builtin: tfjs\'s own GRU where the function allows (plain ' +
          '@tensorflow/tfjs loads it); tfjs-gru: TF1GRU layers holding a checkpoint\'s own four tensors')
          .choices(['builtin', 'tfjs-gru']))
      .option('--stack <name>', 'which GRU stack, when the file holds several (inspect lists them)')
      .option('--config <file>', 'the Keras model config (model.to_json(), or a .keras\'s config.json) of a ' +
              '.weights.h5 or weights-only .h5 whose config is not beside it')
      .addOption(backendOption())
      .option('--rename <map>', 'rename tensors before looking for GRUs (.safetensors, .npz): ' +
              '\'enc_w_ih=enc.weight_ih_l0,…\' or the pattern form \'enc_w_*=enc.weight_*_l0\'')
      .option('--gru-stack', 'ONNX and Keras files: the GRU stack alone as a LayersModel (naming what it leaves out), ' +
              'not the whole model')
      .addOption(new Option('--quantize <dtype>', 'store the float32 weights quantized in tfjs\'s own manifest ' +
          '(every tfjs loader dequantizes them); the float32 model is checked and the error quantization causes reported').choices(['float16', 'uint8']))
      .addOption(jsonOption())
      .addOption(quietOption())
      .addHelpText('after', inputFormatsHelp() + `
ONNX (.onnx): the whole graph becomes a tfjs GraphModel that keeps the ONNX inputs' and
outputs' names, shapes and layout; GRU nodes run on tfjs-gru's whole-sequence kernels, every
other operator on tfjs ops (import 'tfjs-gru', then tf.loadGraphModel). Every operator,
attribute or dtype that cannot be converted exactly is listed in one error before anything is
written. The written model is checked against onnxruntime-node when it is installed, else
against the graph before writing and each GRU against the unfused reference.

Keras files (.keras, .h5, .weights.h5; Keras 3 or tf.keras): the whole model (Sequential or
Functional, several inputs and outputs, shared and nested models) with every layer tfjs-layers
implements, as a LayersModel; reset-after GRUs become tfjs-gru's KerasGRU. A layer tfjs cannot
express exactly is refused: one error lists every one (--gru-stack: the GRU stack alone).

Checkpoints, .safetensors, .npz (and ONNX or Keras with --gru-stack): the GRU stack as a
LayersModel, input [batch, time, D], output the top layer's full sequence (then the Dense
layer found after the stack, at every step). Reset-before cells (TF1 GRUCell, GRUBlockCell,
Keras reset_after=False, ONNX linear_before_reset=0) become tfjs's built-in GRU; reset-after
cells (Keras reset_after=True, CuDNN, PyTorch, ONNX linear_before_reset=1) become tfjs-gru's
KerasGRU (import 'tfjs-gru' before loading).
Before finishing it loads what it wrote and checks it against the unfused reference GRU run
on the file's own tensors for a random input (max |error| <= 1e-5 × max(1, max |reference
output|); NaN/Inf weights are refused as NON_FINITE: the check cannot judge them).

The files are written into a temporary folder beside <dir> and moved there only when the
check passes: a failure leaves <dir> as it was. A <dir> that is not empty is refused
(OUT_EXISTS) unless --force, which replaces only model.json and group1-shard1of1.bin.

Exit status: 0 written and checked, 1 the file could not be converted (the reason on stderr).`)
      .action(async (file: string, flags: ConvertFlags) => {
        // checked here, not with requiredOption: a mistyped --outt then gets its suggestion first
        if (flags.out == null) throw new UsageError('--out <dir> is required (the folder to write the model into)');
        await selectBackend(parseBackendName(flags.backend ?? process.env.TFJS_GRU_BACKEND));
        if (!flags.quiet && !flags.json) {
          const info = backendInfo();
          processIo.stderr(`backend: ${info.name} (${info.reason}); GRUs run on the ${info.gruKernel}\n`);
        }
        ctx.exitCode = await runConvert({path: file, out: flags.out, layers: flags.layers, stack: flags.stack,
                                         config: flags.config, rename: flags.rename, json: flags.json,
                                         gruStack: flags.gruStack, quantize: flags.quantize, force: flags.force});
        await drainStdout();
      });
}
