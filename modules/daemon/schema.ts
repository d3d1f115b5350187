// Args of the daemon module.
import type { FromSchema } from '../_shared/schema-type.js';

// Both land in the unit's ExecStart= and Environment= lines, where a space or a quote would start
// another word or assignment: plain path characters only, and no `..` part.
const absPath = {
  type: 'string',
  pattern: '^(/(?!\\.\\.?(/|$))[A-Za-z0-9_.+@-]+)+$',
  description: 'absolute path of letters, digits and _ . + @ -',
} as const;

export const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    artifact: {
      anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }],
      description: 'local portsyncd-<hash>.tar.gz for x86_64 switches; null or unset: build/portsyncd/LATEST',
    },
    artifact_arm64: {
      anyOf: [{ type: 'string', minLength: 1 }, { type: 'null' }],
      description: 'local portsyncd-arm64-<hash>.tar.gz for aarch64 switches; null or unset: build/portsyncd/LATEST-arm64',
    },
    prefix: { ...absPath, default: '/opt/portsyncd' },
    config_path: { ...absPath, default: '/etc/portsyncd/portsyncd.yaml' },
    config: { type: 'object', default: {} },
    unit: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        description: { type: 'string', pattern: '^[^\\n]+$', default: 'SONiC port state from kernel netlink (portsyncd)' },
        watchdog_sec: { type: 'integer', minimum: 1, default: 30 },
        restart_sec: { type: 'integer', minimum: 0, default: 2 },
        timeout_start_sec: { type: 'integer', minimum: 1, default: 30 },
        after: {
          type: 'array',
          items: { type: 'string', pattern: '^[A-Za-z0-9@._-]+$' },
          default: ['network.target', 'redis-server.service'],
        },
      },
    },
    tuning: {
      anyOf: [
        { type: 'null' },
        {
          type: 'object',
          propertyNames: { pattern: '^[A-Z][A-Za-z0-9]*$' },
          additionalProperties: { anyOf: [{ type: 'string', pattern: '^[^\\n]*$' }, { type: 'number' }] },
        },
      ],
      default: null,
      description: '[Service] directives of the tuning drop-in, e.g. {Nice: -5}; null: no drop-in from this module',
    },
    tuning_dropin: { type: 'string', pattern: '^[A-Za-z0-9@._-]+\\.conf$', default: '45-daemon-tuning.conf' },
    keep_releases: { type: 'integer', minimum: 2, default: 3 },
    asics: {
      type: 'array',
      items: { type: 'string', pattern: '^asic[0-9]{1,3}$' },
      uniqueItems: true,
      default: [],
      description: 'multi-ASIC: the ASIC namespaces (asic0, asic1, ...) of database_global.json, one portsyncd@<asic> each',
    },
  },
} as const;

export type DaemonArgs = FromSchema<typeof schema>;
