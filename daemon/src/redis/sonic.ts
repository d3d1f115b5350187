// SONiC database conventions used by portsyncd (sonic-swss-common).
export const APPL_DB = 0; // separator ':'
export const CONFIG_DB = 4; // separator '|'
export const STATE_DB = 6; // separator '|'

export const CONFIG_PORT_PREFIX = 'PORT|';
export const APPL_PORT_TABLE = 'PORT_TABLE';
export const WARM_ENABLE_KEYS = ['WARM_RESTART_ENABLE_TABLE|system', 'WARM_RESTART_ENABLE_TABLE|swss'] as const;
export const WARM_TABLE_KEY = 'WARM_RESTART_TABLE|portsyncd';

/**
 * ProducerStateTable "set", as consumers (ConsumerStateTable, e.g. portsorch)
 * expect it in APPL_DB: the fields go to the staging hash `_<TABLE>:<key>`, the
 * key joins `<TABLE>_KEY_SET`, and "G" is published on `<TABLE>_CHANNEL@<db>`.
 * The consumer pops the key set and moves the staged fields into `<TABLE>:<key>`.
 * KEYS = [channel, keyset, staging hash]; ARGV = ["G", key, field, value, ...]
 */
export const PRODUCER_SET_LUA = `
redis.call('SADD', KEYS[2], ARGV[2])
for i = 3, #ARGV, 2 do
  redis.call('HSET', KEYS[3], ARGV[i], ARGV[i + 1])
end
redis.call('PUBLISH', KEYS[1], ARGV[1])
`;

export interface ProducerSet {
  keys: [string, string, string];
  args: string[];
}

export function producerSet(table: string, key: string, fields: Record<string, string>, db = APPL_DB): ProducerSet {
  const args = ['G', key];
  for (const [f, v] of Object.entries(fields)) args.push(f, v);
  return { keys: [`${table}_CHANNEL@${db}`, `${table}_KEY_SET`, `_${table}:${key}`], args };
}

/** Warm start is on when either the system or the swss container enables it. */
export function warmEnabled(values: Array<string | null>): boolean {
  return values.some((v) => v === 'true');
}

export function configPortName(key: string): string | undefined {
  return key.startsWith(CONFIG_PORT_PREFIX) ? key.slice(CONFIG_PORT_PREFIX.length) : undefined;
}
