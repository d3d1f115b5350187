// Args of the sysctl module. Values end up in a sysctl.d file and on a `sysctl -w` command line,
// so anything that could start a new line, a new assignment or a comment is refused here.
import { requires } from '../_shared/schema-parts.js';
import type { FromSchema } from '../_shared/schema-type.js';

/** Dotted, as sysctl(8) names keys; a `/` inside a part stands for a dot in an interface name (eth0/100). */
// A part never starts with `/`, so no part can read as `..` and leave /proc/sys.
export const SYSCTL_KEY_PATTERN = '^[a-z][a-z0-9_]*(\\.[A-Za-z0-9_:@+-][A-Za-z0-9_:@+/-]*)+$';
/** No control characters except tab (kernel vectors print tab-separated), no `=`, no `#`. */
export const SYSCTL_VALUE_PATTERN = '^[^\\x00-\\x08\\x0a-\\x1f\\x7f=#]*$';
export const DEFAULT_FILE = '/etc/sysctl.d/50-portsyncd.conf';

/** This tool's own form: a settings map for one file. */
const nativeSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    file: {
      type: 'string',
      pattern: '^/[^\\x00-\\x1f]*\\.conf$',
      default: DEFAULT_FILE,
      description: 'absolute path of the managed sysctl.d file (systemd-sysctl only reads *.conf)',
    },
    settings: {
      type: 'object',
      propertyNames: { pattern: SYSCTL_KEY_PATTERN },
      additionalProperties: {
        anyOf: [
          { type: 'string', pattern: SYSCTL_VALUE_PATTERN },
          // Larger numbers lose digits in YAML/JSON; they must be quoted.
          { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
        ],
      },
      description: 'sysctl key (dotted, e.g. net.core.somaxconn) -> value',
    },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    apply_live: { type: 'boolean', default: true, description: 'also set the running kernel, not only the file' },
    missing: {
      type: 'string',
      enum: ['fail', 'warn', 'skip'],
      default: 'fail',
      description: 'what to do with a key the target kernel does not have',
    },
  },
  if: { properties: { state: { const: 'present' } } },
  then: requires('settings'),
} as const;

/** ansible.posix.sysctl's form: one key per task. */
const ansibleSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: SYSCTL_KEY_PATTERN, description: 'the sysctl key, dotted' },
    value: {
      anyOf: [
        { type: 'string', pattern: SYSCTL_VALUE_PATTERN },
        { type: 'integer', minimum: -9007199254740991, maximum: 9007199254740991 },
        { type: 'boolean' },
      ],
      description: 'the value (booleans and yes/no become 1/0, as in Ansible)',
    },
    state: { type: 'string', enum: ['present', 'absent'], default: 'present' },
    sysctl_file: {
      type: 'string',
      pattern: '^/[^\\x00-\\x1f]*$',
      default: '/etc/sysctl.conf',
      description: 'the file whose line for the key is edited',
    },
    sysctl_set: { type: 'boolean', default: false, description: 'compare the running value and set it with sysctl -w' },
    reload: { type: 'boolean', default: true, description: 'run sysctl -p on the file when it changed' },
    ignoreerrors: { type: 'boolean', default: false, description: 'a key the kernel lacks is a warning, not an error' },
  },
  if: { properties: { state: { const: 'present' } } },
  then: requires('value'),
} as const;

/** A task with `name` uses Ansible's form; otherwise this tool's. */
export const schema = {
  type: 'object',
  if: requires('name'),
  then: ansibleSchema,
  else: nativeSchema,
} as const;

/** Either form, as a task gives it. */
export type SysctlTaskArgs = FromSchema<typeof schema>;
export type SysctlArgs = FromSchema<typeof nativeSchema>;
export type AnsibleSysctlArgs = FromSchema<typeof ansibleSchema>;
