// The reporter for this invocation: JSON lines with --json, text otherwise.
import type { Reporter } from '../report/events.js';
import { jsonReporter } from '../report/json.js';
import { textReporter } from '../report/text.js';
import { useColour } from '../report/colour.js';
import { redactingReporter } from '../secrets/reporter.js';
import type { CliOptions } from './options.js';

/** Secrets (vault values, no_log values) are masked at this boundary, before any sink. */
export function reporterFor(o: CliOptions, diff: boolean): Reporter {
  return redactingReporter(sinkFor(o, diff));
}

function sinkFor(o: CliOptions, diff: boolean): Reporter {
  if (o.json) return jsonReporter((s) => process.stdout.write(s));
  return textReporter({
    write: (s) => process.stdout.write(s),
    writeErr: (s) => process.stderr.write(s),
    colour: useColour(process.stdout),
    live: !!process.stdout.isTTY,
    diff,
    verbose: o.verbose,
    perHost: o.perHost,
  });
}
