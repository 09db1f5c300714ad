// Writes the example's model: `tfjs-gru convert` of the TF1 checkpoint in
// fixtures/checkpoints/tf1_multi_dense (two stacked GRUCells and a dense layer)
// into examples/browser/model/, as TF1GRU layers (--layers tfjs-gru), unless it
// is there already and newer than the checkpoint.
const fs = require('fs');
const path = require('path');
const {spawnSync} = require('child_process');

const ROOT = path.join(__dirname, '..', '..');
const CHECKPOINT = path.join('fixtures', 'checkpoints', 'tf1_multi_dense', 'model.ckpt');
const OUT = path.join(ROOT, 'examples', 'browser', 'model');

function prepareExampleModel() {
  const modelJson = path.join(OUT, 'model.json');
  const source = path.join(ROOT, `${CHECKPOINT}.index`);
  if (fs.existsSync(modelJson) && fs.statSync(modelJson).mtimeMs >= fs.statSync(source).mtimeMs) return modelJson;
  fs.rmSync(OUT, {recursive: true, force: true});
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tfjs-gru.js'), 'convert', CHECKPOINT, '--out', OUT, '--layers', 'tfjs-gru'],
                      {cwd: ROOT, encoding: 'utf8', env: {...process.env, TF_CPP_MIN_LOG_LEVEL: '2'}});
  if (r.status !== 0 || !fs.existsSync(modelJson)) {
    throw new Error(`tfjs-gru convert ${CHECKPOINT} failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
  }
  return modelJson;
}

module.exports = {prepareExampleModel, CHECKPOINT};
if (require.main === module) console.log(prepareExampleModel());
