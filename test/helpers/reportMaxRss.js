// Preloaded (node -r) into the child processes of test/bombs.test.ts: on exit, writes the
// process's peak resident set size to stderr, so a test can bound what a command cost.
process.on('exit', () => {
  require('fs').writeSync(2, `\n[maxRSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB]\n`);
});
