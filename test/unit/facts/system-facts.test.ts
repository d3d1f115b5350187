import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ansibleFactVars, FACT_SECTIONS, parseSystemFacts, SYSTEM_SECTIONS, systemFactsScript } from '../../../src/facts/system-facts.js';
import { playFactSections } from '../../../src/plan/fact-references.js';
import { renderArgs } from '../../../src/render/template.js';
import { TemplateError, ValidationError } from '../../../src/errors.js';
import type { Play, Task } from '../../../src/playbook/types.js';
import { withVars } from '../../../src/vars/merge.js';
import { shq } from '../../../src/script/shell.js';
import { testPlay } from '../../helpers/play.js';

const cpuinfo = (sockets: number, coresPer: number, threads: number) =>
  Array.from({ length: sockets * coresPer * threads }, (_, i) =>
    [
      `processor\t: ${i}`,
      'vendor_id\t: GenuineIntel',
      'model name\t: Xeon',
      `physical id\t: ${Math.floor(i / (coresPer * threads))}`,
      `siblings\t: ${coresPer * threads}`,
      `core id\t\t: ${i % coresPer}`,
      `cpu cores\t: ${coresPer}`,
    ].join('\n'),
  ).join('\n');

const OUTPUT = `@@ etc/os-release
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION_CODENAME=bookworm
ID=debian
@@ etc/debian_version
12.7
@@ uname
leaf01.dc1
6.1.0-18-amd64
#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1
x86_64
Linux
@@ fqdn
10.0.0.5        leaf01 leaf01.dc1.example.net
@@ cpuinfo
${cpuinfo(2, 4, 2)}
@@ meminfo
MemTotal:       16314012 kB
MemFree:         8000000 kB
@@ interfaces
./lo
./Ethernet0
./eth0
@@ route
8.8.8.8 via 10.0.0.1 dev eth0 src 10.0.0.5 uid 0
@@ addr
2: eth0    inet 10.0.0.5/22 brd 10.0.3.255 scope global eth0\\       valid_lft forever preferred_lft forever
@@ link
2: eth0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9100 qdisc mq state UP mode DEFAULT group default qlen 1000\\    link/ether 52:54:00:12:34:56 brd ff:ff:ff:ff:ff:ff
`;

test('system facts are computed as Ansible computes them on Linux', () => {
  assert.deepEqual(parseSystemFacts(OUTPUT), {
    distribution: 'Debian',
    distribution_release: 'bookworm',
    os_family: 'Debian',
    distribution_minor_version: '7',
    distribution_version: '12.7',
    distribution_major_version: '12',
    nodename: 'leaf01.dc1',
    hostname: 'leaf01',
    fqdn: 'leaf01.dc1.example.net',
    domain: 'dc1.example.net',
    kernel: '6.1.0-18-amd64',
    kernel_version: '#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1',
    architecture: 'x86_64',
    machine: 'x86_64',
    system: 'Linux',
    processor_count: 2,
    processor_cores: 4,
    processor_threads_per_core: 2,
    processor_vcpus: 16,
    memtotal_mb: 15931,
    memfree_mb: 7812,
    interfaces: ['lo', 'Ethernet0', 'eth0'],
    default_ipv4: {
      gateway: '10.0.0.1',
      interface: 'eth0',
      address: '10.0.0.5',
      broadcast: '10.0.3.255',
      netmask: '255.255.252.0',
      network: '10.0.0.0',
      prefix: '22',
      macaddress: '52:54:00:12:34:56',
      mtu: 9100,
      type: 'ether',
      alias: 'eth0',
    },
  });
  // No default route, no /proc: the facts that need them are absent, default_ipv4 is empty.
  const bare = parseSystemFacts('@@ uname\nsw1\n5.10.0\n#1\naarch64\nLinux\n@@ route\n\n');
  assert.deepEqual(
    [bare.hostname, bare.fqdn, bare.default_ipv4, bare.processor_vcpus, bare.distribution],
    ['sw1', 'sw1', {}, undefined, 'NA'],
  );
});

test('facts from the switch are never templated, whether read as ansible_x or ansible_facts.x', () => {
  // As the planner joins them to a host's variables.
  const vars = withVars(ansibleFactVars({ hostname: '{{ secret }}', default_ipv4: { address: '{{ secret }}' } }), { secret: 's3cret' });
  const args = { a: '{{ ansible_hostname }}', b: '{{ ansible_facts.default_ipv4.address }}', c: '{{ ansible_default_ipv4.address }}' };
  assert.deepEqual(
    renderArgs(args, vars, {
      task: { name: 't', module: 'm', args, tags: [], notify: [], listen: [], pos: { file: 'f', line: 1, col: 1 } },
      host: 'h',
    }),
    {
      a: '{{ secret }}',
      b: '{{ secret }}',
      c: '{{ secret }}',
    },
  );
});

const task = (args: Record<string, unknown>, when?: string): Task => ({
  name: 't',
  module: 'debug',
  args,
  when,
  tags: [],
  notify: [],
  listen: [],
  pos: { file: '/nowhere/site.yml', line: 1, col: 1 },
});
const play = (tasks: Task[], gatherFacts?: boolean): Play => testPlay({ tasks, ...(gatherFacts === undefined ? {} : { gatherFacts }) });

test('a play asks for the facts only when it gathers them and something reads them, for the sections read', () => {
  assert.equal(playFactSections(play([task({ msg: 'hi' })]), {}), undefined);
  assert.deepEqual(playFactSections(play([task({ msg: 'hi' }, "ansible_distribution == 'Debian'")]), {}), ['distribution']);
  assert.equal(playFactSections(play([task({ msg: 'hi' }, "ansible_distribution == 'Debian'")], false), {}), undefined);
  assert.deepEqual(playFactSections(play([task({ msg: 'hi' })]), { mgmt: '{{ ansible_default_ipv4.address }}' }), ['default_ipv4']);
  assert.equal(playFactSections(play([task({ msg: 'hi' })]), { hostvars: { other: { x: '{{ ansible_hostname }}' } } }), undefined);
});

test('a fact where none is gathered is an error naming where facts can be used', () => {
  const args = { msg: '{{ ansible_hostname }}' };
  try {
    renderArgs(args, {}, { task: task(args), host: 'h' });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ValidationError || e instanceof TemplateError, String(e));
    const hint = e instanceof ValidationError ? e.problems[0]!.hint : (e as TemplateError).hint;
    assert.match(hint ?? '', /in plays with gather_facts \(the default\); a loop's list and a play's vars_files .* cannot use them/);
  }
});

test('on a live host the facts are what uname and /proc/meminfo say, read with few processes', () => {
  const out = execFileSync('sh', ['-c', `ROOT=; (\n${systemFactsScript(false)}\n) 2>/dev/null </dev/null`], { encoding: 'utf8' });
  const facts = parseSystemFacts(out);
  const uname = (flag: string) => execFileSync('uname', [flag], { encoding: 'utf8' }).replace(/\n$/, '');
  assert.deepEqual(
    [facts.nodename, facts.kernel, facts.kernel_version, facts.machine, facts.system],
    [uname('-n'), uname('-r'), uname('-v'), uname('-m'), uname('-s')],
  );
  const memTotal = /^MemTotal:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'))![1];
  assert.equal(facts.memtotal_mb, Math.floor(Number(memTotal) / 1024));
  // Lines are cut by the shell, not awk or head: each process costs the switch a millisecond or so.
  assert.doesNotMatch(systemFactsScript(false), /\b(awk|head)\b/);
});

test('the facts of some sections are the same as the whole gather gives, and no other fact is there', () => {
  const run = (sections?: (typeof SYSTEM_SECTIONS)[number][]) =>
    execFileSync('sh', ['-c', `ROOT=; (\n${systemFactsScript(false, sections)}\n) 2>/dev/null </dev/null`], { encoding: 'utf8' });
  const whole = parseSystemFacts(run());
  for (const section of SYSTEM_SECTIONS) {
    // As a play asks: a fact's sections together.
    const asked = SYSTEM_SECTIONS.filter((s) => s === section || (s === 'uname' && (section === 'fqdn' || section === 'cpu')));
    const some = parseSystemFacts(run(asked), [], asked);
    const expected = Object.keys(whole).filter((k) => FACT_SECTIONS[k]!.every((s) => asked.includes(s)));
    assert.deepEqual(Object.keys(some).sort(), expected.sort(), section);
    for (const k of expected) assert.deepEqual(some[k], whole[k], k);
  }
  // Only the sections asked start their processes.
  assert.doesNotMatch(systemFactsScript(false, ['distribution', 'uname', 'cpu', 'memory']), /getent|find|\bip\b/);
});

test('the machine is read from kernel/arch under the plain personality, from uname under linux32', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-uname-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  // A uname that notes each call before it answers: the plain personality must need none.
  const log = join(dir, 'calls');
  const real = execFileSync('sh', ['-c', 'command -v uname'], { encoding: 'utf8' }).trim();
  writeFileSync(join(dir, 'uname'), `#!/bin/sh\necho "$*" >> ${shq(log)}\nexec ${shq(real)} "$@"\n`, { mode: 0o755 });
  const script = `ROOT=; PATH=${shq(dir)}:$PATH; (\n${systemFactsScript(false)}\n) 2>/dev/null </dev/null`;
  const machine = (argv: string[]) =>
    parseSystemFacts(execFileSync(argv[0]!, [...argv.slice(1), 'sh', '-c', script], { encoding: 'utf8' })).machine;
  assert.equal(machine(['env']), execFileSync('uname', ['-m'], { encoding: 'utf8' }).trim());
  assert.equal(existsSync(log) ? readFileSync(log, 'utf8') : '', '');
  // setarch --addr-no-randomize sets a personality flag that leaves uname's machine as it is.
  assert.equal(machine(['setarch', '-R']), execFileSync('setarch', ['-R', 'uname', '-m'], { encoding: 'utf8' }).trim());
  assert.equal(readFileSync(log, 'utf8'), '-m\n');
  assert.equal(machine(['setarch', 'linux32']), execFileSync('setarch', ['linux32', 'uname', '-m'], { encoding: 'utf8' }).trim());
  // The case above can fail: under linux32 uname's machine is not the kernel's.
  assert.notEqual(machine(['setarch', 'linux32']), machine(['env']));
});
