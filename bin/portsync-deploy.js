#!/usr/bin/env node
// The command line: `lab ...` goes to the switch lab, everything else to the engine, which never
// loads the lab. The engine's one-file bundle (dist/cli/, built by `npm run build`) starts
// fastest, compiled from its code cache; the tsc output is the fallback for a tree built with tsc alone.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);
if (argv[0] === 'lab') {
  const { runLab } = await import('../dist/lab/cli.js');
  process.exitCode = await runLab(argv.slice(1));
} else {
  const bundle = fileURLToPath(new URL('../dist/cli/portsync-deploy.cjs', import.meta.url));
  const { main, internalError } = existsSync(bundle)
    ? (await import('../dist/src/bundle/cached-script.js')).loadCached(bundle).exports
    : await import('../dist/src/cli.js');
  // An exception nothing caught (a callback, a rejected promise) is a bug like any other: one
  // line and exit 70, never Node's stack trace and exit 1 ("a host failed").
  const crash = (e) => process.exit(internalError(e));
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  process.exitCode = await main(argv);
}
