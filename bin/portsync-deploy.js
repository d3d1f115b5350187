#!/usr/bin/env node
// The command line: `lab ...` goes to the switch lab, everything else to the engine, which never
// loads the lab. The engine's one-file bundle (dist/cli/, built by `npm run build`) starts
// fastest, compiled from its code cache; the tsc output is the fallback for a tree built with tsc alone.
// CommonJS (bin/package.json): Node starts a CommonJS file without its ES module loader.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

async function run(argv) {
  if (argv[0] === 'lab') {
    const { runLab } = await import('../dist/lab/cli.js');
    return runLab(argv.slice(1));
  }
  const bundle = join(__dirname, '../dist/cli/portsync-deploy.cjs');
  const { main, internalError } = existsSync(bundle)
    ? require('../dist/cli/cached-script.cjs').loadCached(bundle).exports
    : await import('../dist/src/cli.js');
  // An exception nothing caught (a callback, a rejected promise) is a bug like any other: one
  // line and exit 70, never Node's stack trace and exit 1 ("a host failed").
  const crash = (e) => process.exit(internalError(e));
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  return main(argv);
}

run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
