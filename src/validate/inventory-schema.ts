// Ansible's YAML inventory: groups holding hosts, vars and child groups, nested to any depth.
export const inventorySchema = {
  $id: 'portsync-deploy/inventory',
  type: 'object',
  description: 'an inventory maps group names (usually just "all") to groups',
  additionalProperties: { $ref: '#/$defs/group' },
  $defs: {
    group: {
      type: ['object', 'null'],
      'x-hint': 'a group may hold only "hosts", "children" and "vars"',
      properties: {
        hosts: {
          type: ['object', 'null'],
          'x-hint': 'hosts is a mapping of host name to its vars (or nothing), e.g. "leaf01: {host: 10.0.0.1}"',
          additionalProperties: { type: ['object', 'null'], 'x-hint': 'a host maps to a mapping of its vars, or to nothing' },
        },
        children: {
          type: ['object', 'null'],
          'x-hint': 'children is a mapping of group name to group',
          additionalProperties: { $ref: '#/$defs/group' },
        },
        vars: { type: ['object', 'null'], 'x-hint': 'vars is a mapping of variable name to value' },
      },
      additionalProperties: false,
    },
  },
} as const;
