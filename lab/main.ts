// Runs the lab CLI directly: node dist/lab/main.js up --switches 3
import { runLab } from './cli.js';

process.exitCode = await runLab(process.argv.slice(2));
