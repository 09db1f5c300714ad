/** Node-only: reading Keras model files (and a .weights.h5's config beside it) for the keras and h5 formats. */
import * as fs from 'fs';
import * as path from 'path';

import {KerasFileError} from '../../io/keras/errors';
import {KerasFile, readKerasFromBytes} from '../../io/keras/kerasFile';
import {ReadLimits} from '../../io/limits';
import {KerasModelPlan, planKerasModel} from '../../kerasModel/findKerasGrus';
import {ModelFileError} from '../../io/modelFileError';
import {formatKerasInspectReport, inspectKerasFile} from '../../kerasModel/inspect';
import {kerasToLayersModel} from '../../kerasModel/toLayersModel';
import type {InspectOutput, OpenedModelFile} from '../modelFormats';
import {limitsFromEnv, readRegularFile, readRegularTextFile} from '../safeRead';

/** The config files looked for beside `NAME.weights.h5` (or a weights-only `NAME.h5`), in order. */
export function configCandidates(p: string): string[] {
  const dir = path.dirname(p);
  const base = path.basename(p).replace(/\.weights\.h5$|\.h5$|\.hdf5$/, '');
  return [path.join(dir, `${base}.config.json`), path.join(dir, `${base}.json`), path.join(dir, 'config.json')];
}

/**
 * Reads a Keras file; a .weights.h5 takes its config from the JSON file `configPath`,
 * else from the first of {@link configCandidates} that exists.
 */
export function readKerasFile(p: string, configPath?: string, limits?: Partial<ReadLimits>): KerasFile {
  const lim = limitsFromEnv(limits);
  const bytes = readRegularFile(p, lim);
  let config: string | undefined;
  if (configPath != null) {
    if (!fs.existsSync(configPath)) throw new KerasFileError('NOT_FOUND', configPath, `no such config file (given for ${p})`);
    config = readRegularTextFile(configPath, {maxFileBytes: lim.maxZipTextBytes});
  }
  try {
    return readKerasFromBytes({bytes, file: p, config, configName: configPath && `the config file ${configPath}`, limits: lim});
  } catch (e) {
    if (!(e instanceof KerasFileError && e.code === 'BAD_CONFIG' && config == null && /give the model's config/.test(e.message))) throw e;
    const found = configCandidates(p).find((c) => fs.existsSync(c));
    if (found == null) {
      throw new KerasFileError('NOT_FOUND', p, `${e.message.slice(p.length + 2)}; looked for ${configCandidates(p).join(', ')} (or give its path: --config FILE, or the config option)`);
    }
    return readKerasFromBytes({bytes, file: p, config: readRegularTextFile(found, {maxFileBytes: lim.maxZipTextBytes}),
      configName: `the config file ${found}`, limits: lim});
  }
}

/** Opens a Keras file as a model file of inspect and convert (`format` is the format's name; `configPath` see {@link readKerasFile}). */
export function openKeras(p: string, format: string, configPath?: string, limits?: Partial<ReadLimits>): OpenedModelFile {
  const kf = readKerasFile(p, configPath, limits);
  // The GRU discovery (for --gru-stack and inspect) may fail where the whole model still converts
  // (the whole-model converter finds every layer's weights itself): its error waits for --gru-stack.
  let plan: KerasModelPlan | null = null;
  let planError: unknown = null;
  try {
    plan = planKerasModel(kf);
  } catch (e) {
    if (!(e instanceof ModelFileError)) {
      kf.close();
      throw e;
    }
    planError = e;
  }
  return {format, source: kf, discovery: plan?.discovery ?? {grus: [], stacks: [], ignored: [], unexplained: []},
    convert: (options) => {
      const mode = options.gruStack || options.stack != null ? 'gru-stack' : 'whole-model';
      if (plan == null && mode === 'gru-stack') throw planError;
      return kerasToLayersModel(kf, {...options, mode}, plan ?? undefined);
    }};
}

/** The inspect report of an opened Keras file. */
export function inspectKeras(opened: OpenedModelFile): InspectOutput {
  const report = inspectKerasFile(opened.source as KerasFile);
  return {report, text: formatKerasInspectReport(report)};
}
