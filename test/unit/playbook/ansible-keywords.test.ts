// Ansible task keywords and modules through the CLI, planned on a temp chroot root (offline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../modules/support.js';

const BIN = join(repoRoot, 'bin/portsync-deploy.js');

function setup(t: { after(fn: () => void): void }, playbook: string) {
  const dir = mkdtempSync(join(tmpdir(), 'psd-ansible-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'root/etc'), { recursive: true });
  mkdirSync(join(dir, 'templates'));
  writeFileSync(join(dir, 'templates/motd.j2'), '{{ greeting }} from {{ inventory_hostname }}\n{% for p in ports %}{{ p }}\n{% endfor %}');
  writeFileSync(join(dir, 'hosts.yaml'), `all:\n  hosts:\n    sw1:\n      connection: chroot\n      chroot_dir: ${join(dir, 'root')}\n`);
  writeFileSync(join(dir, 'site.yaml'), playbook);
  return (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, 'plan', join(dir, 'site.yaml'), '-i', join(dir, 'hosts.yaml'), '--json', ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    const events = r.stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    return { code: r.status, events, err: r.stderr + JSON.stringify(events) };
  };
}

test('loop, with_items, with_dict and loop_control: one planned task per item, one gather', (t) => {
  const plan = setup(
    t,
    `- hosts: all
  vars:
    sysctls: { net.core.somaxconn: 8192, vm.swappiness: 10 }
    words: [a, [b, c]]
  tasks:
    - name: keys
      ansible.posix.sysctl: { name: "{{ item.key }}", value: "{{ item.value }}", sysctl_file: /etc/sysctl.d/60-t.conf }
      loop: "{{ sysctls | dict2items }}"
    - name: words
      lineinfile: { path: /etc/words, line: "{{ w }}-{{ i }}", create: true }
      with_items: "{{ words }}"
      loop_control: { loop_var: w, index_var: i, label: "{{ w }}" }
    - name: dict
      lineinfile: { path: /etc/dict, line: "{{ item.key }}={{ item.value }}", create: true }
      with_dict: { x: 1 }
`,
  );
  const r = plan();
  assert.equal(r.code, 2, r.err);
  const results = r.events.filter((e) => e.event === 'result').map((e) => e.task);
  assert.deepEqual(results, [
    "keys (item={'key': 'net.core.somaxconn', 'value': 8192})",
    "keys (item={'key': 'vm.swappiness', 'value': 10})",
    'words (item=a)',
    'words (item=b)',
    'words (item=c)',
    "dict (item={'key': 'x', 'value': 1})",
  ]);
  const diffs = JSON.stringify(r.events.filter((e) => e.event === 'result'));
  // Each item plans against the file as the item before leaves it.
  assert.match(diffs, / net.core.somaxconn=8192\\n\+vm.swappiness=10/);
  assert.match(diffs, / a-0\\n b-1\\n\+c-2/);
  const stats = r.events.find((e) => e.event === 'host_stats') as { round_trips?: number } | undefined;
  if (stats?.round_trips !== undefined) assert.equal(stats.round_trips, 1);
});

test('set_fact, debug, assert, template .j2, free-form command and ignore_errors', (t) => {
  const plan = setup(
    t,
    `- hosts: all
  vars:
    ports: [Ethernet0, Ethernet4]
  tasks:
    - set_fact: { greeting: "hello {{ ports | length }}" }
    - debug: { msg: "{{ greeting }}" }
    - assert: { that: ["ports | length == 2", "greeting is match('hello')"], success_msg: fine }
    - ansible.builtin.template: { src: motd.j2, dest: /etc/motd, mode: "0644" }
    - name: reload
      command: /usr/bin/true --flag
      ignore_errors: "{{ ansible_check_mode }}"
`,
  );
  const r = plan();
  assert.equal(r.code, 2, r.err);
  const byTask = Object.fromEntries(r.events.filter((e) => e.event === 'result').map((e) => [e.task, e]));
  assert.equal(byTask.debug.msg, 'hello 2');
  assert.equal(byTask.assert.msg, 'fine');
  assert.match(JSON.stringify(byTask['ansible.builtin.template']), /\+hello 2 from sw1\\n\+Ethernet0\\n\+Ethernet4\\n/);
  assert.equal(byTask.reload.status, 'skipped');
});

test('a failed assert, an unknown Ansible module and bad loop input stop at file:line with exit 3', (t) => {
  const failing = setup(t, `- hosts: all\n  tasks:\n    - assert: { that: "1 == 2", fail_msg: "one is not two" }\n`)();
  assert.equal(failing.code, 3);
  assert.match(failing.err, /site\.yaml:3:\d+.*one is not two/s);
  const unknown = setup(
    t,
    `- hosts: all\n  tasks:\n    - ansible.builtin.service: { name: x, state: started }\n    - ansible.builtin.apt: { name: x }\n`,
  )();
  assert.equal(unknown.code, 3);
  assert.match(unknown.err, /site\.yaml:3:7.*unknown module \W+ansible\.builtin\.service.*systemd_service/s);
  assert.match(unknown.err, /site\.yaml:4:7.*unknown module \W+ansible\.builtin\.apt/s);
  const loop = setup(t, `- hosts: all\n  tasks:\n    - debug: { msg: x }\n      loop: "{{ 5 }}"\n`)();
  assert.equal(loop.code, 3);
  assert.match(loop.err, /site\.yaml:4:\d+.*loop needs a list/s);
});
