import {Command} from 'commander';

import {backendInfo, parseBackendName, selectBackend} from '../node/backend';
import {QuantityResult} from '../verify/result';
import {summarize} from '../verify/summary';
import {formatSummary, formatTable} from '../verify/table';
import {verify} from '../node/verify';
import {backendOption, CliContext, EXIT, jsonOption, quietOption} from './context';
import {err, out, outJson} from './output';
import {progressBar} from './progress';

interface VerifyFlags {
  json?: boolean;
  full?: boolean;
  quiet?: boolean;
  backend?: string;
  fixtures?: string;
}

function failedRows(results: QuantityResult[]): string {
  const failed = results.filter((r) => !r.pass);
  if (failed.length === 0) return '';
  return `\nfailed:\n${formatTable(failed)}\n`;
}

/**
 * `tfjs-gru verify`: every implementation on every reference case of fixtures/
 * (real TensorFlow, Keras, PyTorch). Default output: one line per
 * implementation with its worst errors, then the verdict; `--full` one line
 * per quantity; `--json` everything. Exit code 0 only when everything passes.
 */
export function registerVerify(program: Command, ctx: CliContext): void {
  program.command('verify')
      .description('compare every implementation with real TensorFlow\'s outputs and gradients (fixtures/)')
      .addOption(jsonOption())
      .option('--full', 'one line per case, implementation and quantity instead of the summary')
      .addOption(backendOption())
      .option('--fixtures <dir>', 'reference data folder (default: the package\'s fixtures/)')
      .addOption(quietOption())
      .addHelpText('after', '\nExit status: 0 when every quantity is within tolerance, 1 when any is not.\n' +
                   'JSON: {backend, pass, summary: [per implementation], results: [{case, implementation, ' +
                   'quantity, maxAbsError, tolerance, pass, reason?}]}')
      .action(async (flags: VerifyFlags) => {
        await selectBackend(parseBackendName(flags.backend));
        const info = backendInfo();
        const chatty = !flags.quiet && !flags.json;
        if (chatty) err(`backend: ${info.name} (${info.reason}); GRUs run on the ${info.gruKernel}\n`);
        const report = verify({fixturesDir: flags.fixtures, onProgress: progressBar(!!flags.quiet)});
        const summary = summarize(report.results);
        if (flags.json) {
          outJson({backend: report.backend, pass: report.pass, summary, results: report.results});
        } else {
          const failures = report.results.filter((r) => !r.pass).length;
          const cases = new Set(report.results.map((r) => r.case)).size;
          out((flags.full ? formatTable(report.results) : formatSummary(summary) + failedRows(report.results)) + '\n\n');
          out(`backend: ${info.name} (${info.reason}); GRUs run on the ${info.gruKernel}\n`);
          out(report.pass ?
              `PASS: ${report.results.length} quantities on ${cases} cases equal TensorFlow within tolerance\n` :
              `FAIL: ${failures} of ${report.results.length} quantities on ${cases} cases differ from TensorFlow or did not run\n`);
        }
        ctx.exitCode = report.pass ? EXIT.ok : EXIT.failed;
      });
}
