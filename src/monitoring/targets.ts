// Scrape targets from the inventory: one per switch (every host outside the `monitoring` group),
// at its address and the daemon's HTTP port, labelled with its name, groups and latency SLO.
import { ValidationError, type Problem } from '../errors.js';
import type { Inventory, Vars } from '../playbook/types.js';
import { hostVars } from '../vars/precedence.js';

/** Hosts of this group run Prometheus; they are not scraped as switches. */
export const MONITORING_GROUP = 'monitoring';

export interface Target {
  switch: string;
  address: string;
  port: number;
  /** The host's groups, `all` included. */
  groups: string[];
  /** portsyncd_health_max_p99_us: the event latency P99 the switch is held to. */
  sloP99Us: number;
  /** The daemon's HTTP listen address (portsyncd_config.http.host), for the loopback warning. */
  listen: string;
}

function numberVar(vars: Vars, name: string, host: string, problems: Problem[]): number {
  const v = vars[name];
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0)
    problems.push({
      message: `host ${host}: ${name} must be a positive number, got ${JSON.stringify(v)}`,
      hint: `set ${name} in group_vars or host_vars`,
    });
  return n;
}

export function inventoryTargets(inv: Inventory, defaults: Vars, extra: Vars): Target[] {
  const problems: Problem[] = [];
  const targets: Target[] = [];
  for (const [name, host] of inv.hosts) {
    if (host.groups.includes(MONITORING_GROUP)) continue;
    const vars = hostVars(inv, name, { defaults, extra });
    const config = (vars.portsyncd_config ?? {}) as { http?: { host?: unknown } };
    targets.push({
      switch: name,
      address: typeof vars.host === 'string' && vars.host ? vars.host : name,
      port: numberVar(vars, 'portsyncd_http_port', name, problems),
      groups: ['all', ...host.groups.filter((g) => g !== 'all' && g !== 'ungrouped')],
      sloP99Us: numberVar(vars, 'portsyncd_health_max_p99_us', name, problems),
      listen: typeof config.http?.host === 'string' ? config.http.host : '127.0.0.1',
    });
  }
  if (problems.length) throw new ValidationError(problems);
  if (!targets.length)
    throw new ValidationError([
      { message: `inventory ${inv.dir} has no switch outside the "${MONITORING_GROUP}" group`, hint: 'add the switches to hosts.yaml' },
    ]);
  return targets;
}

/** Prometheus file_sd: one entry per switch. `groups` is comma-wrapped (",all,leaf,pod1,") so
 *  that `groups=~".*,leaf,.*"` selects a group; `group` is the host's last (most specific) one. */
export function fileSd(targets: Target[]): { targets: string[]; labels: Record<string, string> }[] {
  return targets.map((t) => ({
    targets: [`${t.address.includes(':') ? `[${t.address}]` : t.address}:${t.port}`],
    labels: { switch: t.switch, group: t.groups.at(-1)!, groups: `,${t.groups.join(',')},`, slo_p99_us: String(t.sloP99Us) },
  }));
}
