// The reporter for this invocation: JSON lines with --json, text otherwise.
import type { Reporter } from '../report/events.js';
import { jsonReporter } from '../report/json.js';
import { textReporter } from '../report/text.js';
import { useColour } from '../report/colour.js';
import { redactingReporter } from '../secrets/reporter.js';
import { teeReporter } from '../report/html/collect.js';
import type { CliOptions } from './options.js';
import { addReportTime } from '../timings.js';
import { batchedWriter } from '../report/batched-write.js';

/** Secrets (vault values, no_log values) are masked at this boundary, before any sink (the HTML report's collector included). */
export function reporterFor(o: CliOptions, diff: boolean, also?: Reporter): Reporter {
  return timedReporter(redactingReporter(also ? teeReporter(sinkFor(o, diff), also) : sinkFor(o, diff)));
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
  if (o.json) {
    const out = batchedWriter((s) => {
      const from = performance.now();
      process.stdout.write(s);
      addReportTime(performance.now() - from);
    });
    process.once('exit', out.flush);
    return jsonReporter(out.write);
  }
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
