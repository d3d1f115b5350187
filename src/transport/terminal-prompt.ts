// The no-echo prompt for a key's passphrase or a vault password. Apart from the SSH code, so that a
// run that only asks for a vault password (or none) does not load the SSH client to get it.
import { isatty } from 'node:tty';

/** Setup errors that retrying cannot fix (unreadable key, no passphrase). */
export class AuthSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthSetupError';
  }
}

/** A no-echo prompt on the controlling terminal, or undefined when stdin is not one. */
export function terminalPrompt(): ((question: string) => Promise<string>) | undefined {
  // Asked of the descriptor: process.stdin would build a stream for a piped or redirected stdin
  // (about 2 ms of Node's stream code, before the run's first connection) only to learn that.
  if (!isatty(0)) return undefined;
  const stdin = process.stdin;
  return (question) =>
    new Promise((resolve, reject) => {
      let answer = '';
      const wasRaw = stdin.isRaw;
      // Raw mode before the question, so nothing typed after it can echo.
      stdin.setRawMode(true);
      stdin.resume();
      process.stderr.write(question);
      const done = (err?: Error) => {
        stdin.off('data', onData);
        stdin.setRawMode(wasRaw);
        stdin.pause();
        process.stderr.write('\n');
        if (err) reject(err);
        else resolve(answer);
      };
      const onData = (buf: Buffer) => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') return done();
          if (ch === '\u0003') return done(new AuthSetupError('passphrase prompt interrupted'));
          if (ch === '\u007f' || ch === '\b') answer = answer.slice(0, -1);
          else answer += ch;
        }
      };
      stdin.on('data', onData);
    });
}
