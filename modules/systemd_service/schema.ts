// Args of systemd_service: Ansible's systemd_service/systemd (name, state, enabled, daemon_reload, masked).
import type { FromSchema } from '../_shared/schema-type.js';
export const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[A-Za-z0-9:_.@\\\\-]+$', description: 'the unit, e.g. portsyncd.service' },
    state: { type: 'string', enum: ['started', 'stopped', 'restarted', 'reloaded'] },
    enabled: { type: 'boolean' },
    masked: { type: 'boolean' },
    daemon_reload: { type: 'boolean', default: false, description: 'systemctl daemon-reload before anything else' },
  },
  anyOf: [{ required: ['name'], properties: { name: true } }, { properties: { daemon_reload: { const: true } } }],
} as const;

export type SystemdServiceArgs = FromSchema<typeof schema>;
