// Where are the weights of TF1's GRUCell? explainGru answers for D = 3, U = 2.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

import {explainGru, formatGruExplanation, renderExplanationSvg} from '../src';  // your code: from 'tfjs-gru'

const e = explainGru({inputSize: 3, units: 2, layout: 'tf1'});
for (const b of e.explained.blocks) console.log(`${b.block.padEnd(3)} = ${b.expression.padEnd(22)} = ${b.numeric}`);
console.log(e.explained.equations.join('\n'));
console.log(formatGruExplanation(e).split('\n').length, 'lines of explanation');

const file = path.join(os.tmpdir(), 'tf1-gru-d3-u2.svg');
fs.writeFileSync(file, renderExplanationSvg(e));
console.log(`diagram: ${file}`);
