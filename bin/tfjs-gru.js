#!/usr/bin/env node
// Runs the compiled CLI (dist/) when the package is built, else the
// TypeScript sources through ts-node (a fresh clone after `npm ci`).
const fs = require('fs');
const path = require('path');

const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
let main;
if (fs.existsSync(compiled)) {
  main = require(compiled).main;
} else {
  require('ts-node').register({transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json')});
  main = require(path.join(__dirname, '..', 'src', 'cli', 'main.ts')).main;
}
main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (e) => {
      process.stderr.write(`tfjs-gru: ${e && e.message ? e.message : e}\n`);
      process.exit(1);
    });
