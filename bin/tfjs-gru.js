#!/usr/bin/env node
// Runs the compiled CLI (dist/) when the package is built, else the
// TypeScript sources through ts-node (a fresh clone after `npm ci`, or a
// checkout whose src/ was edited after the last build: a stale dist/ never runs).
// runAndExit waits for stdout and stderr to flush before it exits, so output
// piped into another program arrives whole.
const fs = require('fs');
const path = require('path');

const compiled = path.join(__dirname, '..', 'dist', 'cli', 'main.js');
const sources = path.join(__dirname, '..', 'src');

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, {withFileTypes: true})) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(p) : fs.statSync(p).mtimeMs);
  }
  return newest;
}

// The published package has no src/; in a checkout, dist/ counts only when it is newer than src/.
const useCompiled = fs.existsSync(compiled) &&
    (!fs.existsSync(sources) || fs.statSync(compiled).mtimeMs >= newestMtime(sources));
let cli;
if (useCompiled) {
  cli = require(compiled);
} else {
  require('ts-node').register({transpileOnly: true, project: path.join(__dirname, '..', 'tsconfig.json')});
  cli = require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
}
cli.runAndExit(() => cli.main(process.argv.slice(2)));
