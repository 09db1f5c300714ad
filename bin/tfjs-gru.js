#!/usr/bin/env node
// Runs the compiled CLI (dist/) when the package is built, else the
// TypeScript sources through ts-node (a fresh clone after `npm ci`).
// runAndExit waits for stdout and stderr to flush before it exits, so output
// piped into another program arrives whole.
const fs = require('fs');
const path = require('path');

const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
let cli;
if (fs.existsSync(compiled)) {
  cli = require(compiled);
} else {
  require('ts-node').register({transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json')});
  cli = require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
}
cli.runAndExit(() => cli.main(process.argv.slice(2)));
