import * as fs from 'fs';
import * as path from 'path';

import {Command, Option} from 'commander';

import {parseBackendName, selectBackend} from '../node/backend';
import {explainGru, GruExplanation} from '../explain/explainGru';
import {formatGruExplanation} from '../explain/format';
import {EXPLAIN_LAYOUT_NAMES, ExplainLayoutName} from '../explain/layoutMaps';
import {explainModelJson} from '../explain/modelJson';
import {renderExplanationSvg} from '../explain/svg';
import {InputFileError, readModelJson} from '../node/readModelJson';
import {backendOption, CliContext, EXIT, jsonOption, positiveInt, quietOption, UsageError} from './context';
import {err, out, outJson} from './output';

interface ExplainFlags {
  input?: number;
  units?: number;
  layout?: ExplainLayoutName;
  to?: ExplainLayoutName;
  weights: boolean;
  json?: boolean;
  svg?: string;
  png?: string;
  quiet?: boolean;
  backend?: string;
}

/** FILE for one diagram, FILE-1, FILE-2, … (before the extension) for several. */
function numbered(file: string, i: number, n: number): string {
  if (n === 1) return file;
  const ext = path.extname(file);
  return `${file.slice(0, file.length - ext.length)}-${i + 1}${ext}`;
}

function writeFile(file: string, data: string|Buffer, option: string): void {
  try {
    fs.writeFileSync(file, data);
  } catch (e) {
    throw new UsageError(`${option} ${file}: cannot write (${(e as Error).message})`);
  }
}

function pngOf(svg: string): Buffer {
  // loaded only for --png: a native renderer the rest of the CLI does not need
  let Resvg: typeof import('@resvg/resvg-js').Resvg;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    Resvg = (require('@resvg/resvg-js') as typeof import('@resvg/resvg-js')).Resvg;
  } catch (e) {
    throw new Error(`--png needs the optional dependency @resvg/resvg-js (npm install @resvg/resvg-js@2.6.2): ${
        (e as Error).message.split('\n')[0]}; --svg works without it`);
  }
  return new Resvg(svg, {background: '#ffffff', font: {loadSystemFonts: true}}).render().asPng();
}

async function explanations(file: string|undefined, flags: ExplainFlags): Promise<{grus: GruExplanation[], json: unknown}> {
  if (file == null) {
    const missing = [flags.input == null ? '--input D' : '', flags.units == null ? '--units U' : ''].filter(Boolean);
    if (missing.length) {
      throw new UsageError(`give ${missing.join(' and ')} (the GRU's input features and units), or a model.json file`);
    }
    if (!flags.weights) throw new UsageError('--no-weights goes with a model.json file');
    const e = explainGru({inputSize: flags.input, units: flags.units, layout: flags.layout ?? 'tf1', to: flags.to});
    return {grus: [e], json: e};
  }
  if (flags.input != null || flags.units != null || flags.layout != null) {
    throw new UsageError(`${file}: the sizes and layout come from the file; drop ${
        [flags.input != null ? '--input' : '', flags.units != null ? '--units' : '', flags.layout != null ? '--layout' : '']
            .filter(Boolean).join(', ')}`);
  }
  if (!/\.json$/i.test(file)) {
    throw new UsageError(`${file}: explain reads a tfjs model.json (LayersModel); other formats (TF checkpoints, ` +
                         '.keras/.h5, .safetensors, .onnx) come with their readers');
  }
  let files;
  try {
    files = readModelJson(file, flags.weights);
  } catch (e) {
    if (e instanceof InputFileError) throw new UsageError(e.message);
    throw e;
  }
  if (files.weightData != null) await selectBackend(parseBackendName(flags.backend));
  let model;
  try {
    model = explainModelJson(files.modelJson, files.weightData ?? undefined);
  } catch (e) {
    throw new Error(`${file}: ${(e as Error).message.replace(/^model\.json: /, '')}`);
  }
  if (flags.to != null) {
    // --to narrows the side by side view of every GRU to one layout
    model.grus = model.grus.map((g) => ({
      ...g, equivalents: g.equivalents.filter((v) => v.layout === flags.to),
      noEquivalent: g.noEquivalent.filter((v) => v.layout === flags.to),
      crossFamilyReason: g.noEquivalent.some((v) => v.layout === flags.to) ? g.noEquivalent.find((v) => v.layout === flags.to)!.reason : null,
    }));
  }
  return {grus: model.grus, json: {file, weightFiles: files.weightFiles.map((f) => path.relative(path.dirname(file), f)), ...model}};
}

/**
 * `tfjs-gru explain`: where a GRU's weights are, for sizes (--input D --units
 * U, in --layout) or for every GRU of a model.json; text, --json, and
 * block diagrams with --svg / --png. Exit code 1 when a recombination check
 * on real weights fails.
 */
export function registerExplain(program: Command, ctx: CliContext): void {
  program.command('explain')
      .description('where a GRU\'s weights are: every tensor\'s rows and columns, the textbook Wr, Ur, br, … as ' +
                   'slices, the equations, every layout side by side')
      .argument('[file]', 'a tfjs model.json (tf.keras through tensorflowjs_converter, or tfjs model.save)')
      .option('--input <D>', 'input features D (without a file)', positiveInt)
      .option('--units <U>', 'units U (without a file)', positiveInt)
      .addOption(new Option('--layout <name>', 'the layout to explain (without a file; default tf1)').choices(EXPLAIN_LAYOUT_NAMES))
      .addOption(new Option('--to <name>', 'show only this layout next to it (the other family: why there is none)')
                     .choices(EXPLAIN_LAYOUT_NAMES))
      .option('--no-weights', 'with a file: explain from the manifest\'s shapes, without reading the weight files')
      .addOption(jsonOption())
      .option('--svg <file>', 'write a block diagram of the tensors, colored by gate (several GRUs: file-1.svg, …)')
      .option('--png <file>', 'write the same diagram as PNG (rendered with resvg)')
      .addOption(backendOption())
      .addOption(quietOption())
      .addHelpText('after', `
Layouts: ${EXPLAIN_LAYOUT_NAMES.join(', ')}.
Examples:
  tfjs-gru explain --input 3 --units 2                  TF1 GRUCell: Wr = gates/kernel[:D, :U], …
  tfjs-gru explain --input 3 --units 2 --layout pytorch --to keras-reset-after
  tfjs-gru explain model.json --svg gru.svg             every GRU of a model, its numbers and a check
Exit status: 0 ok, 1 a recombination check failed, 2 a usage error.`)
      .action(async (file: string|undefined, flags: ExplainFlags) => {
        const {grus, json} = await explanations(file, flags);
        if (flags.json) outJson(json); else out(grus.map(formatGruExplanation).join('\n'));
        for (const [option, target] of [['--svg', flags.svg], ['--png', flags.png]] as const) {
          if (target == null) continue;
          grus.forEach((g, i) => {
            const svg = renderExplanationSvg(g);
            const name = numbered(target, i, grus.length);
            writeFile(name, option === '--svg' ? svg : pngOf(svg), option);
            if (!flags.quiet) err(`explain: wrote ${name}${g.name ? ` (${g.name})` : ''}\n`);
          });
        }
        ctx.exitCode = grus.every((g) => g.check == null || g.check.pass) ? EXIT.ok : EXIT.failed;
      });
}
