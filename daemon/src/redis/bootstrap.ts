// SONiC start-up duties: warm-restart bookkeeping, CONFIG_DB PORT -> APPL_DB
// PORT_TABLE with PortConfigDone (cold start only), and PortInitDone once every
// configured port exists in the kernel.
import type { Redis } from 'ioredis';
import { samePort, type PortState } from '../core/port.js';
import type { Logger } from '../obs/log.js';
import {
  APPL_DB,
  APPL_PORT_TABLE,
  CONFIG_PORT_PREFIX,
  configPortName,
  PRODUCER_SET_LUA,
  producerSet,
  WARM_ENABLE_KEYS,
  WARM_TABLE_KEY,
  warmEnabled,
} from './sonic.js';

export class SonicBootstrap {
  warm = false;
  restoreCount = 0;
  private configured: string[] | undefined;
  private initDone: 'no' | 'writing' | 'yes' = 'no';

  constructor(
    private readonly state: Redis,
    private readonly appl: Redis,
    private readonly config: Redis,
    private readonly log: Logger,
    private readonly previous: ReadonlyMap<string, PortState> | undefined,
    private readonly applDbId = APPL_DB, // in the channel name consumers subscribe to
  ) {}

  async run(): Promise<void> {
    const flags = await Promise.all(WARM_ENABLE_KEYS.map((k) => this.state.hget(k, 'enable')));
    this.warm = warmEnabled(flags);
    if (this.warm) this.restoreCount = await this.state.hincrby(WARM_TABLE_KEY, 'restore_count', 1);
    else await this.state.hset(WARM_TABLE_KEY, 'restore_count', '0');

    const ports = await this.readConfigPorts();
    this.configured = [...ports.keys()];
    if (!this.warm) {
      for (const [name, fields] of ports) await this.producerSet(name, fields);
      await this.producerSet('PortConfigDone', { count: String(ports.size) });
    }
    this.log.info('sonic bootstrap done', {
      warm: this.warm,
      restore_count: this.restoreCount,
      configured_ports: ports.size,
      appl_db_written: !this.warm,
    });
  }

  /** Writes PortInitDone once, when every configured port has been seen in the kernel. */
  checkInitDone(kernel: ReadonlyMap<string, PortState>): void {
    if (this.initDone !== 'no' || !this.configured) return;
    if (!this.configured.every((name) => kernel.has(name))) return;
    this.initDone = 'writing';
    this.producerSet('PortInitDone', { lanes: '0' }).then(
      () => {
        this.initDone = 'yes';
        this.log.info('PortInitDone written', { ports: this.configured?.length });
      },
      (e: Error) => {
        this.initDone = 'no'; // retried on the next change or reconcile
        this.log.warn('PortInitDone not written', { error: e.message });
      },
    );
  }

  /** After a warm start, logs how the kernel moved while the daemon was down. */
  reportWarmDiff(kernel: ReadonlyMap<string, PortState>): void {
    if (!this.warm || !this.previous) return;
    let changed = 0;
    let gone = 0;
    for (const [name, p] of this.previous) {
      const now = kernel.get(name);
      if (!now) gone++;
      else if (!samePort(now, p)) changed++;
    }
    const added = [...kernel.keys()].filter((n) => !this.previous!.has(n)).length;
    this.log.info('warm start: kernel compared with saved state', { saved: this.previous.size, changed, removed: gone, added });
  }

  private async readConfigPorts(): Promise<Map<string, Record<string, string>>> {
    const ports = new Map<string, Record<string, string>>();
    let cursor = '0';
    do {
      const [next, keys] = await this.config.scan(cursor, 'MATCH', `${CONFIG_PORT_PREFIX}*`, 'COUNT', 1000);
      cursor = next;
      for (const key of keys) {
        const name = configPortName(key);
        if (name) ports.set(name, await this.config.hgetall(key));
      }
    } while (cursor !== '0');
    return new Map([...ports].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })));
  }

  private async producerSet(key: string, fields: Record<string, string>): Promise<void> {
    const { keys, args } = producerSet(APPL_PORT_TABLE, key, fields, this.applDbId);
    await this.appl.eval(PRODUCER_SET_LUA, keys.length, ...keys, ...args);
  }
}
