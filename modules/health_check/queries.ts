// The commands health_check reads. With a self-test, the probe phase reads the metrics, flaps a
// port, then runs the HTTP, kernel and Redis reads, which see its effect, and the latency P99 covers
// just the flap's events (the difference of the two histograms). HTTP goes over bash's /dev/tcp: switches
// have bash but not always curl, and this does not depend on the release under test.
// A portsyncd@<asic> instance of a multi-ASIC switch is read the same way inside its ASIC's
// network namespace (nsenter), where its HTTP port, its links and its Redis are.
import type { HealthCheckArgs } from './schema.js';

/** An ASIC namespace (asic0, …) whose portsyncd@ instance is probed; undefined: the switch's own portsyncd. */
export type Instance = string | undefined;
const inNetns = (ns: Instance, argv: string[]) => (ns === undefined ? argv : ['nsenter', `--net=/run/netns/${ns}`, '--', ...argv]);
/** portsyncd.service -> portsyncd@asic0.service */
export const instanceUnit = (a: HealthCheckArgs, ns: Instance) =>
  ns === undefined ? a.unit : a.unit.replace(/\.service$/, `@${ns}.service`);

const HTTP_GET = `exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 7
printf 'GET %s HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' "$2" >&3
cat <&3`;

/** STATE_DB PORT_TABLE in one round trip: key, oper, admin, … */
const PORT_TABLE_LUA = `local out = {}
for _, k in ipairs(redis.call('KEYS', 'PORT_TABLE|*')) do
  local v = redis.call('HMGET', k, 'netdev_oper_status', 'admin_status')
  table.insert(out, k); table.insert(out, v[1] or ''); table.insert(out, v[2] or '')
end
return out`;

export const unitArgv = (a: HealthCheckArgs, ns?: Instance) => [
  'systemctl',
  'show',
  '-p',
  'LoadState,Type,ActiveState,SubState,NRestarts',
  '--',
  instanceUnit(a, ns),
];
export const flapArgv = (a: HealthCheckArgs) =>
  a.self_test_port === null
    ? undefined
    : [
        'sh',
        '-c',
        'ip link set dev "$1" down && ip link set dev "$1" up && sleep "$2"',
        'flap',
        a.self_test_port,
        String(a.settle_seconds),
      ];
/** `label` tells apart two reads of the same path (the metrics before and after the flap). */
export const httpArgv = (a: HealthCheckArgs, path: string, label = 'http', ns?: Instance) =>
  inNetns(ns, ['timeout', '3', 'bash', '-c', HTTP_GET, label, String(a.http_port), path]);
export const metricsBeforeArgv = (a: HealthCheckArgs) => httpArgv(a, '/metrics', 'before-self-test');
export const linksArgv = (ns?: Instance) => inNetns(ns, ['ip', '-j', 'link', 'show']);
export const portTableArgv = (a: HealthCheckArgs, ns?: Instance) =>
  inNetns(ns, ['redis-cli', '-p', String(a.redis_port), '-n', '6', '--raw', 'EVAL', PORT_TABLE_LUA, '0']);
