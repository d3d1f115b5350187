// Structured JSON log lines on stdout, one object per line, for journald.
export const LEVELS = ['debug', 'info', 'warn', 'error'] as const;
export type Level = (typeof LEVELS)[number];

export class Logger {
  private min: number;
  constructor(
    level: Level,
    private readonly write: (line: string) => void = (l) => process.stdout.write(l),
  ) {
    this.min = LEVELS.indexOf(level);
  }
  setLevel(level: Level): void {
    this.min = LEVELS.indexOf(level);
  }
  debug(msg: string, fields?: Record<string, unknown>): void {
    this.log('debug', msg, fields);
  }
  info(msg: string, fields?: Record<string, unknown>): void {
    this.log('info', msg, fields);
  }
  warn(msg: string, fields?: Record<string, unknown>): void {
    this.log('warn', msg, fields);
  }
  error(msg: string, fields?: Record<string, unknown>): void {
    this.log('error', msg, fields);
  }
  private log(level: Level, msg: string, fields?: Record<string, unknown>): void {
    if (LEVELS.indexOf(level) < this.min) return;
    this.write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }) + '\n');
  }
}
