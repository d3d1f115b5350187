// The args type derived from a schema: checked by the compiler (a wrong type fails the build),
// so each case states what the schema means for a module's code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createAjv } from '../../../src/validate/ajv.js';
import type { FromSchema } from '../../../modules/_shared/schema-type.js';
import type { SysctlTaskArgs } from '../../../modules/sysctl/schema.js';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(ok: Equal<A, B>) => ok;

test('required and defaulted properties are present, the others optional', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    required: ['dest'],
    oneOf: [{ required: ['content'], properties: { content: true } }],
    properties: {
      dest: { type: 'string' },
      content: { type: 'string' },
      follow: { type: 'boolean', default: false },
      state: { enum: ['present', 'absent'], default: 'present' },
    },
  } as const;
  assert.ok(same<FromSchema<typeof schema>, { dest: string; follow: boolean; state: 'present' | 'absent'; content?: string }>(true));
  // What the type calls present is what ajv leaves in the args it validated.
  const args: Record<string, unknown> = { dest: '/etc/a', content: 'x' };
  assert.ok(createAjv().compile(schema)(args));
  assert.deepEqual(args, { dest: '/etc/a', content: 'x', follow: false, state: 'present' });
});

test('lists, maps, unions, const and open objects', () => {
  const schema = {
    type: 'object',
    additionalProperties: false,
    properties: {
      names: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      map: { type: 'object', additionalProperties: { anyOf: [{ type: 'string' }, { type: 'integer' }] } },
      cpus: { anyOf: [{ type: 'string', pattern: '^[0-9]+$' }, { const: 'all' }] },
      nullable: { anyOf: [{ type: 'integer' }, { type: 'null' }], default: null },
      flag: { type: ['string', 'boolean'] },
      vars: { type: 'object' },
      open: { type: 'object', properties: { a: { type: 'number' } } },
      anything: {},
    },
  } as const;
  assert.ok(
    same<
      FromSchema<typeof schema>,
      {
        names?: string | string[];
        map?: Record<string, string | number>;
        cpus?: string;
        nullable: number | null;
        flag?: string | boolean;
        vars?: Record<string, unknown>;
        open?: { [name: string]: unknown; a?: number };
        anything?: unknown;
      }
    >(true),
  );
  const args: Record<string, unknown> = {
    names: ['a'],
    map: { k: 1 },
    cpus: 'all',
    flag: true,
    vars: {},
    open: { a: 1, b: 2 },
    anything: [],
  };
  assert.ok(createAjv().compile(schema)(args));
  assert.equal(args.nullable, null, 'the default is filled');
});

test("if/then/else is either branch: sysctl's two forms", () => {
  const native: SysctlTaskArgs = { file: '/etc/sysctl.d/a.conf', state: 'present', apply_live: true, missing: 'fail' };
  const ansible: SysctlTaskArgs = {
    name: 'vm.swappiness',
    state: 'present',
    sysctl_file: '/etc/sysctl.conf',
    sysctl_set: false,
    reload: true,
    ignoreerrors: false,
  };
  assert.ok('file' in native && 'name' in ansible);
});
