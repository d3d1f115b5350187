// portsyncd: kernel netlink link events -> SONiC port state in Redis.
// Usage: portsyncd --config FILE
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig, type Config } from './config.js';
import { Daemon } from './daemon.js';
import { Logger } from './obs/log.js';

const STOP_DEADLINE_MS = 1500; // leaves margin inside the 2 s exit budget

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help || !values.config) {
    process.stderr.write('usage: portsyncd --config FILE   (YAML or JSON; see daemon/README.md)\n');
    return values.help ? 0 : 64;
  }
  const file = values.config;
  let config: Config;
  try {
    config = await loadConfig(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`${e.message}\n`);
      return 78; // EX_CONFIG
    }
    throw e;
  }
  const log = new Logger(config.logLevel);
  const daemon = new Daemon(config, log);

  const stop = (signal: string) => {
    log.info('stopping', { signal });
    const hardStop = setTimeout(() => process.exit(1), 1900);
    hardStop.unref();
    void daemon.stop(STOP_DEADLINE_MS).then((flushed) => {
      log.info('stopped', { flushed });
      process.exit(0);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    loadConfig(file).then(
      ({ logLevel: level }) => {
        daemon.setLogLevel(level);
        log.info('log level reloaded', { level });
      },
      (e: Error) => log.error('reload failed; keeping the running log level', { error: e.message }),
    );
  });

  try {
    await daemon.start();
  } catch (e) {
    log.error('start failed', { error: (e as Error).message });
    return 1;
  }
  log.info('portsyncd started', { pid: process.pid });
  return -1; // keep running
}

main().then(
  (code) => {
    if (code >= 0) process.exit(code);
  },
  (e: Error) => {
    process.stderr.write(`portsyncd: ${e.stack ?? e.message}\n`);
    process.exit(1);
  },
);
