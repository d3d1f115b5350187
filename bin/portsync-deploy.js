#!/usr/bin/env node
// The one-file bundle (dist/cli/, built by `npm run build`) starts fastest; the tsc output is the
// fallback for a tree built with tsc alone.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/cli/portsync-deploy.mjs', import.meta.url);
const { main } = await import(existsSync(bundle) ? bundle.href : '../dist/src/cli.js');
process.exitCode = await main(process.argv.slice(2));
