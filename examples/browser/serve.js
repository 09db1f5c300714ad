#!/usr/bin/env node
// npm run example [-- --port 8080]: bundles the package for the browser
// (dist/browser/), converts the example's model (prepare.js) and serves the
// repository on http://127.0.0.1:PORT/; open /examples/browser/ there.
const path = require('path');

const ROOT = path.join(__dirname, '..', '..');
const {bundle} = require(path.join(ROOT, 'tools', 'bundle-browser.js'));
const {startStaticServer} = require(path.join(ROOT, 'tools', 'static-server.js'));
const {prepareExampleModel} = require('./prepare');

async function main() {
  const i = process.argv.indexOf('--port');
  const port = i > 0 ? Number(process.argv[i + 1]) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0..65535, got '${process.argv[i + 1]}'`);
  await bundle();
  prepareExampleModel();
  const server = await startStaticServer(ROOT, {port});
  console.log(`serving ${ROOT} at ${server.url}\nopen ${server.url}examples/browser/  (Ctrl-C stops)`);
  process.on('SIGINT', () => server.close().then(() => process.exit(0)));
}

main().catch((e) => {
  console.error(`example: ${e.message}`);
  process.exitCode = 1;
});
