// Every GRU in a model.json (here: a tf.keras model converted by the real
// tensorflowjs converter, from fixtures/), with its real weights.
import * as fs from 'fs';
import * as path from 'path';

import {explainModelJson, selectBackend} from '../src';  // your code: from 'tfjs-gru'

async function main(): Promise<void> {
  await selectBackend(process.env.TFJS_GRU_BACKEND === 'cpu' ? 'cpu' : 'wasm');
  const dir = path.join(__dirname, '..', 'fixtures', 'tfjs_model', 'keras_reset_after');
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  const bin = fs.readFileSync(path.join(dir, 'group1-shard1of1.bin'));
  const m = explainModelJson(modelJson, bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength));
  for (const g of m.grus) {
    console.log(`${g.name}: layout ${g.explained.layout}, D = ${g.inputSize}, U = ${g.units}`);
    for (const b of g.explained.blocks) {
      console.log(`  ${b.block.padEnd(4)} ${b.expression.padEnd(26)} norm ${b.stats!.norm.toFixed(4)}`);
    }
    console.log(`  recombination check: ${g.check!.pass ? 'pass' : 'FAIL'} (max abs error ${g.check!.maxAbsError.toExponential(2)})`);
    if (!g.check!.pass) process.exitCode = 1;
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
