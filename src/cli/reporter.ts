// The reporter for this invocation: JSON lines with --json, text otherwise.
import type { Reporter } from '../report/events.js';
import { jsonReporter } from '../report/json.js';
import { textReporter } from '../report/text.js';
import { useColour } from '../report/colour.js';
import { redactingReporter } from '../secrets/reporter.js';
import type { CliOptions } from './options.js';
import { addReportTime } from '../timings.js';

/** Secrets (vault values, no_log values) are masked at this boundary, before any sink. */
export function reporterFor(o: CliOptions, diff: boolean): Reporter {
  return timedReporter(redactingReporter(sinkFor(o, diff)));
}

/** Output is the `report` phase of the timings. */
function timedReporter(inner: Reporter): Reporter {
  return {
    emit(e) {
      const from = performance.now();
      inner.emit(e);
      addReportTime(performance.now() - from);
    },
  };
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
    timings: o.verbosity >= 2,
    perHost: o.perHost,
  });
}
