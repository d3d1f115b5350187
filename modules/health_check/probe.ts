// The checks, each pass or fail with the value it measured. Pure over gathered facts.
import type { Facts } from '../../src/facts/types.js';
import type { ProbeResult } from '../../src/module.js';
import {
  histogramBuckets,
  histogramQuantile,
  kernelPorts,
  metricsDelta,
  parseHttp,
  parseKeyValues,
  parseMetrics,
  redisPorts,
  type PortState,
} from './parse.js';
import { flapArgv, httpArgv, instanceUnit, linksArgv, metricsBeforeArgv, portTableArgv, unitArgv, type Instance } from './queries.js';
import type { HealthCheckArgs } from './schema.js';

const M = 'portsyncd_';
const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

function unitChecks(facts: Facts, a: HealthCheckArgs, ns: Instance): ProbeResult[] {
  const kv = parseKeyValues(facts.cmd(unitArgv(a, ns)).stdout);
  const state = `${kv.get('ActiveState') ?? 'unknown'}/${kv.get('SubState') ?? 'unknown'}`;
  const restarts = Number(kv.get('NRestarts') ?? NaN);
  // Type=notify: systemd moves the unit to active only after READY=1; other types prove nothing.
  const notify = kv.get('Type') === 'notify';
  const ready = state === 'active/running' && notify;
  return [
    {
      check: 'unit active (READY)',
      ok: ready,
      value: state + (ready ? ' (READY sent)' : notify ? '' : ` (Type=${kv.get('Type') ?? 'unknown'}: no READY)`),
      threshold: 'active/running, Type=notify',
    },
    {
      check: 'restarts',
      ok: restarts <= a.max_restarts,
      value: Number.isNaN(restarts) ? 'unknown' : String(restarts),
      threshold: `<= ${a.max_restarts}`,
    },
  ];
}

function httpCheck(facts: Facts, a: HealthCheckArgs, path: string, ns: Instance): { result: ProbeResult; body: string | null } {
  const r = facts.cmd(httpArgv(a, path, 'http', ns));
  const reply = parseHttp(r.stdout);
  const check = path === '/healthz' ? '/healthz 200' : '/metrics answers';
  if (!reply)
    return {
      result: {
        check,
        ok: false,
        value: `no HTTP answer on 127.0.0.1:${a.http_port} (exit ${r.rc}${r.stderr.trim() ? `: ${r.stderr.trim().split('\n')[0]}` : ''})`,
      },
      body: null,
    };
  return {
    result: { check, ok: reply.status === 200, value: `HTTP ${reply.status}`, threshold: '200' },
    body: reply.status === 200 ? reply.body : null,
  };
}

const show = (p: PortState | undefined) => (p ? `oper ${p.oper} admin ${p.admin}` : 'absent');

export function portStateCheck(ipJson: string, redisRaw: string, prefix: string): ProbeResult {
  const check = `STATE_DB PORT_TABLE = kernel (${prefix}*)`;
  let kernel: Map<string, PortState>;
  try {
    kernel = kernelPorts(ipJson, prefix);
  } catch {
    return { check, ok: false, value: 'ip -j link gave no JSON' };
  }
  const redis = redisPorts(redisRaw, prefix);
  const names = [...new Set([...kernel.keys(), ...redis.keys()])].sort((x, y) => x.localeCompare(y, 'en', { numeric: true }));
  const differ = names.filter((n) => show(kernel.get(n)) !== show(redis.get(n)));
  if (differ.length === 0)
    return { check, ok: kernel.size > 0, value: kernel.size > 0 ? `${kernel.size} ports equal` : `no ${prefix}* ports in the kernel` };
  const first = differ.slice(0, 3).map((n) => `${n}: kernel ${show(kernel.get(n))}, redis ${show(redis.get(n))}`);
  return { check, ok: false, value: `${differ.length} of ${names.length} differ: ${first.join('; ')}` };
}

/** `before`: the metrics read just before the self-test, whose events alone the P99 then covers. */
function metricChecks(body: string, before: string | null, a: HealthCheckArgs): ProbeResult[] {
  const m = parseMetrics(body);
  const num = (series: string) => m.get(M + series);
  const out: ProbeResult[] = [];
  const drops = num('netlink_drops_total');
  out.push({
    check: 'netlink drops since start',
    ok: drops !== undefined && drops <= a.max_netlink_drops,
    value: drops === undefined ? 'metric missing' : String(drops),
    threshold: `<= ${a.max_netlink_drops}`,
  });
  const rcvbuf = num('netlink_rcvbuf_bytes');
  const min = a.min_rcvbuf_bytes ?? num('netlink_rcvbuf_requested_bytes');
  out.push({
    check: 'netlink receive buffer',
    ok: rcvbuf !== undefined && min !== undefined && rcvbuf >= min,
    value: rcvbuf === undefined ? 'metric missing' : mb(rcvbuf),
    threshold: min === undefined ? '>= requested (unknown)' : `>= ${mb(min)}`,
  });
  const latency = before === null ? m : metricsDelta(m, parseMetrics(before));
  const p99 = histogramQuantile(latency, M + 'event_latency_seconds', 0.99);
  const figure = { unit: 's', buckets: histogramBuckets(latency, M + 'event_latency_seconds') };
  const events = before === null ? 'events' : 'events of the self-test';
  const threshold = `<= ${a.max_p99_us}us`;
  if (p99 === null) out.push({ check: 'event latency p99', ok: true, value: `no ${events}`, threshold, figure });
  else if (before === null && p99.count < a.min_events) {
    // The lifetime histogram of a fresh daemon is its start-up dump, whose writes wait for the
    // Redis connection: too few events for a P99 and not what the threshold is about.
    out.push({
      check: 'event latency p99',
      ok: true,
      value: `not judged: ${p99.count} events < ${a.min_events}; set self_test_port`,
      threshold,
      figure,
    });
  } else {
    const us = p99.le * 1e6;
    const n = `${p99.count} ${p99.count === 1 ? events.replace('events', 'event') : events}`;
    out.push({
      check: 'event latency p99',
      ok: us <= a.max_p99_us,
      value: `<= ${Number.isFinite(us) ? `${Math.round(us)}us` : 'inf'} (${n})`,
      threshold,
      figure,
    });
  }
  const rss = num('process_resident_memory_bytes');
  out.push({
    check: 'RSS',
    ok: rss !== undefined && rss <= a.max_rss_mb * 1048576,
    value: rss === undefined ? 'metric missing' : mb(rss),
    threshold: `<= ${a.max_rss_mb} MB`,
    ...(rss === undefined ? {} : { figure: { unit: 'bytes', value: rss } }),
  });
  return out;
}

function flapCheck(r: { rc: number; stderr: string }, port: string): ProbeResult {
  return { check: `self-test: flap ${port}`, ok: r.rc === 0, value: r.rc === 0 ? 'down, up' : `exit ${r.rc}: ${r.stderr.trim()}` };
}

/** The first word of a command the switch lacks (the shell's exit 127), or undefined. */
function missingTool(facts: Facts, argv: string[]): string | undefined {
  const r = facts.cmd(argv);
  if (r.rc !== 127) return undefined;
  const named = /([A-Za-z0-9_.-]+): (?:command )?not found/.exec(r.stderr) ?? /failed to run command \W([A-Za-z0-9_.-]+)\W/.exec(r.stderr);
  return named?.[1] ?? argv[0];
}

/** Checks whose command could not run on the switch become "not probed", never a pass. */
function notProbedWhere(results: ProbeResult[], tool: string | undefined, a: HealthCheckArgs): ProbeResult[] {
  if (!tool) return results;
  return results.map((r) => ({
    check: r.check,
    ok: a.not_probed === 'pass',
    notProbed: true,
    value: `not probed: ${tool} is missing on the switch`,
  }));
}

/** The switch's portsyncd, then each portsyncd@<asic> instance: its checks named after it, so a failing instance fails the host. */
export function probeHealth(facts: Facts, a: HealthCheckArgs): ProbeResult[] {
  return [
    ...probeInstance(facts, a, undefined),
    ...a.asics.flatMap((ns) =>
      probeInstance(facts, a, ns).map((r) => ({ ...r, check: `${instanceUnit(a, ns).replace(/\.service$/, '')}: ${r.check}` })),
    ),
  ];
}

/** The self-test flaps a port of the switch's own namespace, so only the switch's portsyncd gets it. */
function probeInstance(facts: Facts, a: HealthCheckArgs, ns: Instance): ProbeResult[] {
  const unitTool = missingTool(facts, unitArgv(a, ns));
  if (!unitTool && a.unit_absent === 'pass' && parseKeyValues(facts.cmd(unitArgv(a, ns)).stdout).get('LoadState') === 'not-found') {
    return [{ check: 'unit installed', ok: true, value: `${instanceUnit(a, ns)} not installed yet: nothing to probe` }];
  }
  const httpTool = missingTool(facts, httpArgv(a, '/healthz', 'http', ns));
  const redisTool = missingTool(facts, portTableArgv(a, ns)) ?? missingTool(facts, linksArgv(ns));
  const healthz = httpCheck(facts, a, '/healthz', ns);
  const metrics = httpCheck(facts, a, '/metrics', ns);
  const links = facts.cmd(linksArgv(ns));
  const table = facts.cmd(portTableArgv(a, ns));
  const ports =
    table.rc !== 0
      ? {
          check: `STATE_DB PORT_TABLE = kernel (${a.port_prefix}*)`,
          ok: false,
          value: `redis-cli exit ${table.rc}: ${table.stderr.trim() || table.stdout.trim()}`,
        }
      : portStateCheck(links.stdout, table.stdout, a.port_prefix);
  const flap = ns === undefined ? flapArgv(a) : undefined;
  const fromMetrics =
    metrics.body === null
      ? ['netlink drops since start', 'netlink receive buffer', 'event latency p99', 'RSS'].map((check) => ({
          check,
          ok: false,
          value: 'no /metrics',
        }))
      : metricChecks(metrics.body, flap ? (parseHttp(facts.cmd(metricsBeforeArgv(a)).stdout)?.body ?? null) : null, a);
  const selfTest = flap ? [flapCheck(facts.cmd(flap), a.self_test_port!)] : [];
  return [
    ...notProbedWhere(unitChecks(facts, a, ns), unitTool, a),
    ...selfTest,
    ...notProbedWhere([healthz.result, metrics.result], httpTool, a),
    ...notProbedWhere([ports], redisTool, a),
    ...notProbedWhere(fromMetrics, httpTool, a),
  ];
}
