// A generated fleet for the load benchmark: HOSTS switches in GROUPS groups (spines plus leaf pods
// under a `leaf` parent), with group_vars and some host_vars, as a large real fleet would have.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function writeFleet(dir: string, hosts: number, groups: number): void {
  const pods = groups - 2; // `spine` and `leaf` are groups too
  const spines = Math.max(2, Math.round(hosts / 25));
  const lines = ['all:', '  children:', '    spine:', '      hosts:'];
  for (let i = 1; i <= spines; i++) lines.push(`        spine-${i}: { ansible_host: 192.0.2.${i % 250} }`);
  lines.push('    leaf:', '      children:');
  const leaves = hosts - spines;
  for (let p = 1; p <= pods; p++) {
    lines.push(`        pod${p}:`, '          hosts:');
    for (let i = p; i <= leaves; i += pods) lines.push(`            leaf-${i}: { ansible_host: 198.51.100.${i % 250} }`);
  }
  mkdirSync(join(dir, 'group_vars'), { recursive: true });
  mkdirSync(join(dir, 'host_vars'), { recursive: true });
  writeFileSync(join(dir, 'hosts.yaml'), lines.join('\n') + '\n');
  writeFileSync(join(dir, 'group_vars/all.yaml'), 'ansible_user: admin\nansible_become: true\n');
  writeFileSync(join(dir, 'group_vars/spine.yaml'), 'tuning_profile: throughput\n');
  writeFileSync(join(dir, 'group_vars/leaf.yaml'), 'tuning_profile: latency\n');
  for (let p = 1; p <= pods; p++)
    writeFileSync(join(dir, `group_vars/pod${p}.yaml`), `pod: ${p}\nportsyncd_health_max_p99_us: ${500 + p}\n`);
  for (let i = 1; i <= leaves; i += 50)
    writeFileSync(join(dir, `host_vars/leaf-${i}.yaml`), 'portsyncd_limits: { nofile: 131072, nproc: 4096, memlock: infinity }\n');
}
