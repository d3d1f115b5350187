// The kernel model and the dump/resync state machine. Pure: it consumes parsed
// netlink messages and overflow signals, and yields coalesced port changes and
// dump requests. No I/O.
//
// Resync correctness: after an overflow, events that were queued before the
// re-dump request are still read after it. Only the dump's own replies, and
// events read after its first reply, may count as "present"; everything the
// model holds that is not present when the dump ends is deleted. Otherwise a
// port deleted during the overflow would keep its stale key.
//
// Stale ifindexes (as upstream portsyncd after a restart): the previous run's
// ifindex per port name comes from the state file. When the name is seen on
// another ifindex, the old one is stale: its messages, and any port it still
// holds under another name, are ignored from then on.
import { AF_BRIDGE, NLM_F_DUMP_INTR, RTM_DELLINK } from '../netlink/constants.js';
import type { Link, NlMessage } from '../netlink/parse.js';
import { countsAsPort, portFromLink, samePort, type PortState } from './port.js';

/** name -> latest state, or null for "delete". Last write wins. */
export type Changes = Map<string, PortState | null>;

export interface TrackerCounters {
  newlink: number;
  dellink: number;
  ignored: number;
  malformed: number;
  dumpReplies: number;
  dumpsCompleted: number;
  dumpRetries: number;
  stale: number;
}

type Dump =
  | { phase: 'idle' }
  | { phase: 'requested'; seq: number; sent: boolean } // no reply read yet
  | { phase: 'running'; seq: number; present: Set<string> };

export class LinkTracker {
  readonly ports = new Map<string, PortState>();
  readonly counters: TrackerCounters = {
    newlink: 0,
    dellink: 0,
    ignored: 0,
    malformed: 0,
    dumpReplies: 0,
    dumpsCompleted: 0,
    dumpRetries: 0,
    stale: 0,
  };
  private readonly nameByIndex = new Map<number, string>();
  private readonly savedIndex: Map<string, number>; // name -> ifindex in the previous run, until the name is seen
  private readonly staleIndexes = new Set<number>();
  private changes: Changes = new Map();
  private dump: Dump = { phase: 'idle' };
  private redumpQueued = false;
  private seq: number;
  private completedSinceTake = false;
  /** errno of the last refused dump request (0: none). */
  lastDumpErrno = 0;

  constructor(
    private readonly portId: number,
    firstSeq = 1,
    previousIndexes: ReadonlyMap<string, number> = new Map(),
  ) {
    this.seq = firstSeq;
    this.savedIndex = new Map(previousIndexes);
  }

  get dumping(): boolean {
    return this.dump.phase !== 'idle';
  }

  /** Asks for a fresh dump (start, overflow, interrupted dump). Coalesces with a running one. */
  requestDump(): void {
    if (this.dump.phase === 'idle') this.dump = { phase: 'requested', seq: this.nextSeq(), sent: false };
    else this.redumpQueued = true;
  }

  /** The dump request the socket must send now, if any. */
  takeDumpToSend(): number | undefined {
    if (this.dump.phase !== 'requested' || this.dump.sent) return undefined;
    this.dump.sent = true;
    return this.dump.seq;
  }

  /** The socket could not send the request; forget it so it is retried. */
  dumpSendFailed(): void {
    if (this.dump.phase === 'requested') this.dump.sent = false;
  }

  /** Overflow (ENOBUFS, truncation, malformed input): events may be lost, so the kernel must be re-read. */
  overflow(): void {
    this.requestDump();
  }

  apply(messages: NlMessage[]): void {
    for (const m of messages) {
      switch (m.kind) {
        case 'link':
          if (this.staleIndexes.has(m.link.ifindex)) this.counters.stale++;
          else if (this.isDumpReply(m.seq, m.pid)) this.onDumpReply(m.type, m.nlFlags, m.link);
          else if (m.pid !== this.portId)
            this.onEvent(m.type, m.link); // multicast, carrying the changer's port id
          else this.counters.ignored++; // reply to an earlier, finished request of ours
          break;
        case 'done':
          if (this.isDumpReply(m.seq, m.pid)) this.onDumpDone(m.nlFlags);
          break;
        case 'error':
          if (this.isDumpReply(m.seq, m.pid) && m.errno !== 0) this.onDumpError(m.errno);
          break;
        case 'overrun':
        case 'malformed':
          this.counters.malformed++;
          this.overflow();
          break;
        case 'other':
          this.counters.ignored++;
          break;
      }
    }
  }

  /** Coalesced changes since the last call. */
  takeChanges(): Changes {
    const c = this.changes;
    this.changes = new Map();
    return c;
  }

  /** True once per finished dump: the caller reconciles Redis to the model. */
  takeDumpCompleted(): boolean {
    const done = this.completedSinceTake;
    this.completedSinceTake = false;
    return done;
  }

  private isDumpReply(seq: number, pid: number): boolean {
    return this.dump.phase !== 'idle' && seq === this.dump.seq && pid === this.portId;
  }

  private onDumpReply(type: number, nlFlags: number, link: Link): void {
    this.counters.dumpReplies++;
    if (this.dump.phase === 'requested') this.dump = { phase: 'running', seq: this.dump.seq, present: new Set() };
    if (nlFlags & NLM_F_DUMP_INTR) this.redumpQueued = true;
    if (type === RTM_DELLINK || link.family === AF_BRIDGE || !countsAsPort(link)) return;
    this.upsert(link);
    if (this.dump.phase === 'running') this.dump.present.add(link.name);
  }

  private onDumpDone(nlFlags: number): void {
    if (nlFlags & NLM_F_DUMP_INTR) this.redumpQueued = true;
    const present = this.dump.phase === 'running' ? this.dump.present : new Set<string>();
    for (const name of [...this.ports.keys()]) if (!present.has(name)) this.remove(name);
    this.dump = { phase: 'idle' };
    this.counters.dumpsCompleted++;
    this.completedSinceTake = true;
    if (this.redumpQueued) {
      this.redumpQueued = false;
      this.requestDump();
    }
  }

  private onDumpError(errno: number): void {
    // EBUSY means another dump was still running on this socket; any other
    // error is as unexpected. Either way the kernel must be read again.
    this.counters.dumpRetries++;
    this.lastDumpErrno = errno;
    this.dump = { phase: 'idle' };
    this.requestDump();
  }

  private onEvent(type: number, link: Link): void {
    if (link.family === AF_BRIDGE) {
      this.counters.ignored++; // bridge-port notifications describe membership, not the link
      return;
    }
    if (type === RTM_DELLINK) {
      if (link.master !== undefined && link.master !== 0) {
        this.counters.ignored++; // leaving a LAG or bridge, not a deletion
        return;
      }
      this.counters.dellink++;
      const name = link.name ?? this.nameByIndex.get(link.ifindex);
      if (name === undefined || !this.ports.has(name)) return;
      this.remove(name);
      if (this.dump.phase === 'running') this.dump.present.delete(name);
      return;
    }
    this.counters.newlink++;
    if (!countsAsPort(link)) {
      this.forgetRenamed(link);
      return;
    }
    this.upsert(link);
    if (this.dump.phase === 'running') this.dump.present.add(link.name);
  }

  private upsert(link: Link & { name: string }): void {
    this.checkSavedIndex(link);
    this.forgetRenamed(link);
    const previous = this.ports.get(link.name);
    const next = portFromLink(link, previous);
    this.nameByIndex.set(link.ifindex, link.name);
    if (samePort(previous, next)) return;
    this.ports.set(link.name, next);
    this.changes.set(link.name, next);
  }

  /** The first sighting of a saved name on another ifindex makes the saved one stale. */
  private checkSavedIndex(link: Link & { name: string }): void {
    const saved = this.savedIndex.get(link.name);
    if (saved === undefined) return;
    this.savedIndex.delete(link.name);
    if (saved === link.ifindex) return;
    this.staleIndexes.add(saved);
    const holder = this.nameByIndex.get(saved);
    if (holder === undefined) return;
    this.nameByIndex.delete(saved);
    if (this.ports.get(holder)?.ifindex !== saved) return;
    this.remove(holder);
    if (this.dump.phase === 'running') this.dump.present.delete(holder);
  }

  /** A link that changed its name leaves its old port behind. */
  private forgetRenamed(link: Link): void {
    const old = this.nameByIndex.get(link.ifindex);
    if (old === undefined || old === link.name) return;
    this.nameByIndex.delete(link.ifindex);
    if (this.ports.has(old)) {
      this.remove(old);
      if (this.dump.phase === 'running') this.dump.present.delete(old);
    }
  }

  private remove(name: string): void {
    const p = this.ports.get(name);
    if (p && this.nameByIndex.get(p.ifindex) === name) this.nameByIndex.delete(p.ifindex);
    this.ports.delete(name);
    this.changes.set(name, null);
  }

  private nextSeq(): number {
    this.seq = this.seq >= 0xfffffff0 ? 1 : this.seq + 1;
    return this.seq;
  }
}
