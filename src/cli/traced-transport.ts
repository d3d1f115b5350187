// -vvv and -vvvv: what each round trip to a host was, as it happens. -vvv: the connection and
// every exec and upload with its size, exit code and time; -vvvv adds the steps of each script
// (the change summaries it carries) and its stderr. Scripts
// themselves are never printed: file contents travel in them, base64-encoded, out of the
// redactor's reach. Every line still passes the redactor on its way out.
import type { ExecOptions, Transport } from '../transport/types.js';

const MAX_STDERR_LINES = 20;

export function tracedTransport(host: string, t: Transport, verbosity: number, log: (m: string) => void): Transport {
  let n = 0;
  const since = (from: number) => `${Math.round(performance.now() - from)} ms`;
  return {
    get name() {
      return t.name;
    },
    get root() {
      return t.root;
    },
    get offline() {
      return t.offline;
    },
    get roundTrips() {
      return t.roundTrips;
    },
    get bytesUploaded() {
      return t.bytesUploaded;
    },
    async connect() {
      const from = performance.now();
      await t.connect();
      log(`${host}: connected (${t.name}${t.root ? ` ${t.root}` : ''}) in ${since(from)}`);
    },
    async exec(script: string, opts?: ExecOptions) {
      const from = performance.now();
      const first = script.split('\n', 1)[0]!.slice(0, 40);
      const r = await t.exec(script, opts);
      log(`${host}: exec ${++n}: ${first} … (${script.length} bytes), rc ${r.rc}, ${r.stdout.length} bytes out, ${since(from)}`);
      // The apply script names each step in a comment line: what this round trip did, step by step.
      if (verbosity >= 4) for (const step of script.split('\n').filter((l) => l.startsWith('# '))) log(`${host}:   step: ${step.slice(2)}`);
      if (verbosity >= 4 && r.stderr.trim()) {
        const lines = r.stderr.trimEnd().split('\n');
        for (const l of lines.slice(0, MAX_STDERR_LINES)) log(`${host}:   stderr: ${l}`);
        if (lines.length > MAX_STDERR_LINES) log(`${host}:   stderr: … ${lines.length - MAX_STDERR_LINES} more lines`);
      }
      return r;
    },
    async upload(localPath: string, remotePath: string, mode?: string) {
      const from = performance.now();
      const before = t.bytesUploaded;
      await t.upload(localPath, remotePath, mode);
      log(`${host}: upload ${remotePath} (${t.bytesUploaded - before} bytes) in ${since(from)}`);
    },
    close: () => t.close(),
  };
}
