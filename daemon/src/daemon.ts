// Wires the edges (netlink socket, Redis, HTTP, systemd, state file) around
// the pure core (parser, tracker, write plans).
import { fstatSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import { LinkTracker } from './core/tracker.js';
import { parseMessages } from './netlink/parse.js';
import { NativeLane, type LaneBatch } from './netlink/lane.js';
import { NetlinkSocket, type ReadBatch } from './netlink/socket.js';
import { loadNative } from './netlink/native.js';
import { osErrorName } from './obs/errno.js';
import { startHttp, type Health } from './obs/http.js';
import type { Logger } from './obs/log.js';
import { SystemdNotifier } from './obs/sdnotify.js';
import { DaemonMetrics } from './metrics.js';
import { connect, describeTarget } from './redis/connect.js';
import { SonicBootstrap } from './redis/bootstrap.js';
import { ConfiguredPorts } from './redis/configured-ports.js';
import { PortWriter } from './redis/writer.js';
import { samePort, type PortState } from './core/port.js';
import type { Changes } from './core/tracker.js';
import { releaseStartupPages } from './memory/startup-pages.js';
import { loadState, StateSaver } from './statefile.js';

export class Daemon {
  readonly metrics = new DaemonMetrics();
  private nl!: NetlinkSocket;
  private tracker!: LinkTracker;
  private writer!: PortWriter;
  /** Isolated changes written by the addon's thread while nothing else is to be done (native/lane.c). */
  private lane: NativeLane | undefined;
  private sonic!: SonicBootstrap;
  private configured!: ConfiguredPorts;
  private saver!: StateSaver;
  private http: Server | undefined;
  private readonly notifier: SystemdNotifier;
  private readonly redis: Redis[] = [];
  private initialSyncDone = false;
  private stopping = false;
  private stopped = false; // the netlink socket is closed
  httpPort = 0;

  constructor(
    private readonly config: Config,
    private readonly log: Logger,
  ) {
    this.notifier = new SystemdNotifier(loadNative().notify);
  }

  async start(): Promise<void> {
    const { config, log } = this;
    const previous = await loadState(config.stateFile);
    this.nl = new NetlinkSocket({
      rcvbufBytes: config.netlink.rcvbufBytes,
      force: config.netlink.rcvbufForce,
      readBufferBytes: config.netlink.readBufferBytes,
    });
    const inode = fstatSync(this.nl.fd).ino;
    const rcvFields = { requested_bytes: config.netlink.rcvbufBytes, effective_bytes: this.nl.rcvbuf, forced: this.nl.forced };
    // The kernel doubles SO_RCVBUF for bookkeeping; only less than requested is a shortfall.
    if (this.nl.rcvbuf < config.netlink.rcvbufBytes) log.warn('netlink receive buffer below requested size', rcvFields);
    else log.info('netlink receive buffer', rcvFields);

    const previousIndexes = new Map([...(previous ?? new Map<string, PortState>()).values()].map((p) => [p.name, p.ifindex]));
    this.tracker = new LinkTracker(this.nl.portId, 1, previousIndexes);
    const { appl: applDb, config: configDb, state: stateDb } = config.databases;
    log.info('databases', {
      sonic_db_config: config.sonicDbConfig ?? null,
      namespace: config.sonicNamespace ?? null,
      ...Object.fromEntries(Object.entries(config.databases).map(([k, d]) => [k, `${describeTarget(d.target)}/${d.db}`])),
      ports: config.mirrorAllPorts ? 'every Ethernet/PortChannel link' : 'configured in APPL_DB PORT_TABLE or CONFIG_DB PORT',
    });
    const state = connect(stateDb.target, stateDb.db, 'portsyncd-state');
    const appl = connect(applDb.target, applDb.db, 'portsyncd-appl');
    const cfg = connect(configDb.target, configDb.db, 'portsyncd-config');
    this.redis.push(state, appl, cfg);
    for (const [r, d] of [
      [state, stateDb],
      [appl, applDb],
      [cfg, configDb],
    ] as const) {
      r.on('error', (e: Error) => log.debug('redis connection error', { error: e.message }));
      r.on('ready', () => log.info('redis connected', { target: describeTarget(d.target), db: d.db }));
    }
    this.sonic = new SonicBootstrap(state, appl, cfg, log, previous, applDb.db);
    this.configured = new ConfiguredPorts(appl, cfg, config.mirrorAllPorts);
    this.writer = new PortWriter(
      state,
      {
        beforeFullSync: () => this.configured.refresh(),
        model: () => this.configuredModel(),
        modelComplete: () => this.tracker.counters.dumpsCompleted > 0 && !this.tracker.dumping,
        bootstrap: () => this.sonic.run(),
        onWritten: (ops, batch, ackedAt) => {
          this.metrics.written(ops, batch, ackedAt);
          for (const [name, p] of batch) this.lane?.record(name, p.state);
        },
        refill: () => this.onReadable(),
        // No readiness wake-ups while a write is in flight: its acknowledgement reads the socket.
        writing: (active) => (active ? this.toWriter() : this.readNext()),
        onFullSync: (deleted, written, model) => this.onFullSync(deleted, written, model),
        onError: (e) => {
          this.metrics.redisErrors.inc();
          log.warn('redis write failed; will retry', { error: e.message });
        },
      },
      config.redis.minWriteIntervalMs,
    );
    if (config.redis.nativeWrites)
      this.lane = new NativeLane(loadNative(), this.nl.fd, this.nl.portId, stateDb.target, stateDb.db, {
        onBatch: (b) => this.onLaneBatch(b),
        // It stopped by itself (something it does not write): the event loop reads on, or writes.
        onStopped: () => {
          if (!this.writer.active) this.readNext();
        },
      });
    this.saver = new StateSaver(
      config.stateFile,
      config.stateSaveIntervalMs,
      () => this.tracker.ports.values(),
      (e) => log.warn('state file not saved', { file: config.stateFile, error: e.message }),
    );
    this.metrics.bind({
      tracker: this.tracker,
      nl: this.nl,
      inode,
      requestedRcvbuf: config.netlink.rcvbufBytes,
      redisConnected: () => this.redisHealthy(),
      healthy: () => this.health().healthy,
      pendingPorts: () => this.writer.pendingPorts,
    });

    const http = await startHttp(
      config.http.host,
      config.http.port,
      () => this.metrics.render(),
      () => this.health(),
    );
    this.http = http.server;
    this.httpPort = http.port;
    log.info('http listening', { host: config.http.host, port: http.port });

    this.nl.start(() => this.onReadable());
    this.tracker.requestDump();
    this.sendDumps();
  }

  /** Flushes pending writes and the state file, then closes everything. */
  async stop(deadlineMs: number): Promise<boolean> {
    if (this.stopping) return false;
    this.stopping = true;
    this.notifier.send('STOPPING=1');
    this.notifier.stop();
    const t0 = performance.now();
    // The lane's last write acknowledged and what it read taken in, unless Redis does not answer.
    const laneIdle = this.lane?.stop();
    if (laneIdle) await Promise.race([laneIdle, new Promise((r) => setTimeout(r, deadlineMs / 2).unref())]);
    this.lane?.close();
    this.onReadable(); // take in what the kernel has already queued
    this.nl.close();
    this.stopped = true;
    const flushed = await this.writer.idle(Math.max(0, deadlineMs - (performance.now() - t0)));
    await this.saver.flush();
    this.http?.close();
    this.http?.closeAllConnections();
    for (const r of this.redis) r.disconnect();
    return flushed;
  }

  setLogLevel(level: Config['logLevel']): void {
    this.log.setLevel(level);
  }

  private onReadable(): void {
    if (this.stopped) return;
    let first: number | undefined;
    let events = 0;
    this.nl.drain((b: ReadBatch) => {
      first ??= b.receivedAt;
      events += this.absorb(b);
    });
    this.afterRead(first, events);
  }

  /** What the lane read, and wrote where it could. */
  private onLaneBatch(b: LaneBatch): void {
    if (b.errno !== 0) this.nl.lastError = b.errno;
    this.afterRead(b.receivedAt, this.absorb(b), b);
  }

  private afterRead(first: number | undefined, events: number, lane?: LaneBatch): void {
    if (this.nl.lastError) {
      this.log.error('netlink read failed', { error: osErrorName(this.nl.lastError) });
      this.nl.lastError = 0;
    }
    this.sendDumps();
    const changes = this.tracker.takeChanges();
    if (first !== undefined) this.metrics.batch(events);
    if (lane && lane.written.length > 0) this.acceptLaneWrites(changes, lane);
    if (changes.size > 0) {
      const receivedAt = first ?? performance.now();
      this.writer.enqueue(this.admitted(changes, receivedAt), receivedAt);
    }
    if (changes.size > 0 || lane?.written.length) {
      this.saver.markDirty();
      this.sonic.checkInitDone(this.tracker.ports);
    }
    if (this.tracker.takeDumpCompleted()) this.writer.requestFullSync();
  }

  /**
   * Takes out of `changes` what the lane wrote, as the model has it now. A port the lane wrote
   * otherwise than the model ends (a later message in the batch, or a table out of step) is
   * written again from the model.
   */
  private acceptLaneWrites(changes: Changes, b: LaneBatch): void {
    const done = new Map<string, { receivedAt: number }>();
    for (const w of b.written) {
      const now = changes.has(w.name) ? changes.get(w.name)! : (this.tracker.ports.get(w.name) ?? null);
      // A pending write of the port (read before, not yet sent) is older: it takes the model's state.
      if (now && samePort(now, w) && !this.writer.isPending(w.name)) {
        changes.delete(w.name);
        done.set(w.name, { receivedAt: b.receivedAt });
      } else changes.set(w.name, now);
    }
    this.writer.spentElsewhere(b.ackedAt);
    this.metrics.written(1, done, b.ackedAt);
    this.metrics.nativeWrites.inc();
  }

  /** A write is about to go out: nothing else reads netlink or writes STATE_DB until it is done. */
  private toWriter(): Promise<void> | undefined {
    this.nl.pause();
    return this.lane?.stop();
  }

  /**
   * Nothing to write: the lane reads netlink when it may write, else the event loop does. The lane
   * takes over only with the write budget whole, and spends from it as Node would: isolated changes
   * are its own, a storm soon returns to Node's paced, batched writes, which cost less per event.
   */
  private readNext(): undefined {
    if (this.stopped) return undefined;
    const budget = this.writer.budget;
    const tokens =
      this.lane && this.initialSyncDone && !this.stopping && !this.tracker.dumping && this.writer.synced && this.writer.connected
        ? budget.available(performance.now())
        : 0;
    if (tokens >= budget.burst) {
      this.nl.pause();
      this.lane!.start(tokens, budget.burst, budget.intervalMs);
    } else this.nl.resume();
    return undefined;
  }

  /** The changes STATE_DB takes: deletes, and updates of configured ports; unknown names are looked up. */
  private admitted(changes: Changes, receivedAt: number): Changes {
    let unknown: string[] | undefined;
    for (const [name, state] of changes) {
      if (state === null) continue;
      const ok = this.configured.admits(name);
      if (ok === true) continue;
      changes.delete(name);
      if (ok === undefined) (unknown ??= []).push(name);
      else this.metrics.notConfigured.inc();
    }
    if (unknown) this.lookUp(unknown, receivedAt);
    return changes;
  }

  /** STATE_DB after a full reconcile: the configured ports of the kernel model. */
  private configuredModel(): ReadonlyMap<string, PortState> {
    if (this.configured.mirrorAll) return this.tracker.ports;
    const model = new Map<string, PortState>();
    let unknown: string[] | undefined;
    for (const [name, p] of this.tracker.ports) {
      const ok = this.configured.admits(name);
      if (ok) model.set(name, p);
      else if (ok === undefined) (unknown ??= []).push(name);
    }
    if (unknown) this.lookUp(unknown, performance.now());
    return model;
  }

  private lookUp(names: string[], receivedAt: number): void {
    this.configured.lookup(names).then(
      (found) => {
        this.metrics.notConfigured.inc(names.length - found.length);
        const changes: Changes = new Map();
        for (const name of found) {
          const p = this.tracker.ports.get(name); // the latest state; gone if deleted meanwhile
          if (p) changes.set(name, p);
        }
        if (changes.size > 0 && !this.stopped) this.writer.enqueue(changes, receivedAt);
      },
      (e: Error) => this.log.debug('port table lookup failed; the next change or reconcile retries it', { error: e.message }),
    );
  }

  private absorb(b: ReadBatch): number {
    const messages = parseMessages(b.buf, b.bytes);
    this.tracker.apply(messages);
    if (b.overflow) {
      this.metrics.drops.inc();
      this.metrics.resyncs.inc(1, { reason: 'enobufs' });
      this.log.warn('netlink overflow: resyncing from a fresh dump');
      this.tracker.overflow();
    } else if (b.truncated) {
      this.metrics.resyncs.inc(1, { reason: 'truncated' });
      this.log.warn('netlink datagram larger than the read buffer was cut short: resyncing from a fresh dump', {
        read_buffer_bytes: this.nl.readBufferBytes,
      });
      this.tracker.overflow();
    }
    return messages.length;
  }

  private sendDumps(): void {
    for (let seq = this.tracker.takeDumpToSend(); seq !== undefined; seq = this.tracker.takeDumpToSend()) {
      const rc = this.nl.sendDump(seq);
      if (rc < 0) {
        this.tracker.dumpSendFailed();
        this.log.error('netlink dump request failed; retrying', { error: osErrorName(-rc) });
        setTimeout(() => this.sendDumps(), 100).unref();
        return;
      }
      this.metrics.dumps.inc();
    }
  }

  private onFullSync(deleted: number, written: number, model: ReadonlyMap<string, PortState>): void {
    this.lane?.reset(model);
    this.metrics.fullSyncs.inc();
    this.log.info('STATE_DB reconciled to kernel', { ports: written, stale_deleted: deleted });
    this.sonic.checkInitDone(this.tracker.ports);
    if (!this.initialSyncDone) {
      this.initialSyncDone = true;
      this.saver.markDirty();
      this.sonic.reportWarmDiff(this.tracker.ports);
      this.log.info('initial sync done', { ports: this.tracker.ports.size, warm: this.sonic.warm });
      this.notifier.send('READY=1');
      this.notifier.startWatchdog();
      if (this.config.releaseStartupPages) this.releaseStartupPages();
    }
  }

  private releaseStartupPages(): void {
    const r = releaseStartupPages(loadNative());
    const fields = {
      mappings: r.ranges,
      failed: r.failed,
      resident_bytes: r.residentBytes,
      rss_before_bytes: r.rssBeforeBytes,
      rss_after_bytes: r.rssAfterBytes,
    };
    if (r.failed > 0) this.log.warn('some start-up pages could not be released', fields);
    else this.log.info('start-up pages released', fields);
  }

  private redisHealthy(): boolean {
    return this.redis.length > 0 && this.redis.every((r) => r.status === 'ready');
  }

  private health(): Health {
    const redis = this.redisHealthy();
    const netlink = !this.stopping && this.nl.lastError === 0;
    return {
      healthy: this.initialSyncDone && redis && netlink && !this.stopping,
      initial_sync_done: this.initialSyncDone,
      netlink_ok: netlink,
      redis_connected: redis,
      resyncing: this.tracker.dumping,
      ports: this.tracker.ports.size,
      pending_ports: this.writer.pendingPorts,
      netlink_drops: this.metrics.drops.get(),
      rcvbuf_bytes: this.nl.rcvbuf,
    };
  }
}
