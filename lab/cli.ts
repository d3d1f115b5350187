// `portsync-deploy lab ...`: argv in, exit code out, human output on stdout/stderr.
import { spawn } from 'node:child_process';
import { EXIT, ValidationError } from '../src/errors.js';
import { parseLabArgs, USAGE, type LabCommand } from './args.js';
import { switchCommand } from './container.js';
import { healthy, type SwitchHealth } from './health.js';
import { labDown, labReboot, labStatus, labUp } from './lab.js';
import { defaultLabName } from './paths.js';
import { assertPreconditions, HostNotReadyError } from './preconditions.js';
import { ensureRootfs, otherRootfsCaches } from './rootfs.js';
import { readState } from './state.js';

export async function runLab(argv: string[]): Promise<number> {
  let cmd: LabCommand;
  try {
    cmd = parseLabArgs(argv);
  } catch (err) {
    return fail(err);
  }
  try {
    return await dispatch(cmd);
  } catch (err) {
    return fail(err);
  }
}

function fail(err: unknown): number {
  if (err instanceof HostNotReadyError) {
    console.error(`lab: this host cannot run the lab; nothing was changed.\n  ${err.lines.join('\n  ')}`);
    return EXIT.failed;
  }
  if (err instanceof ValidationError) {
    console.error(`lab: ${err.message}`);
    return EXIT.invalid;
  }
  console.error(`lab: ${err instanceof Error ? err.message : String(err)}`);
  return EXIT.failed;
}

async function dispatch(cmd: LabCommand): Promise<number> {
  const log = (line: string) => console.log(line);
  switch (cmd.command) {
    case 'help':
      console.log(USAGE);
      return EXIT.ok;
    case 'rootfs': {
      assertPreconditions();
      const current = await ensureRootfs(log);
      console.log(current);
      for (const old of otherRootfsCaches(current)) {
        console.log(`older cache, unused by this version (a running lab may still use it): ${old}`);
      }
      return EXIT.ok;
    }
    case 'up': {
      const started = Date.now();
      const lab = await labUp({
        name: cmd.name,
        switches: cmd.switches,
        ports: cmd.ports,
        inventoryDir: cmd.inventory,
        asics: cmd.asics,
        log,
      });
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      console.log(`lab ${lab.name}: ${lab.switches.length} switches accept SSH on ${lab.subnet} (bridge ${lab.bridge}) after ${secs} s`);
      console.log(`  kept ${lab.kept.length}, started ${lab.started.length}`);
      for (const s of lab.switches)
        console.log(`  ${s.name.padEnd(8)} ${s.group.padEnd(6)} ${s.address}${s.asics ? `  ${s.asics.join(', ')}` : ''}`);
      console.log(`inventory: ${lab.inventory.hostsFile}`);
      console.log(`try: portsync-deploy lab shell ${lab.switches[0].name}${lab.name === defaultLabName ? '' : ` --name ${lab.name}`}`);
      return EXIT.ok;
    }
    case 'down': {
      const lines = await labDown(cmd.name);
      if (!lines.length) console.log(`no lab named ${cmd.name ?? defaultLabName}; nothing to remove`);
      for (const line of lines) console.log(line);
      return EXIT.ok;
    }
    case 'status': {
      const status = await labStatus(cmd.name);
      if (cmd.json) console.log(JSON.stringify(status, null, 2));
      else printStatus(status);
      return status.every(healthy) ? EXIT.ok : EXIT.failed;
    }
    case 'shell':
      return shell(cmd.name ?? defaultLabName, cmd.switch, cmd.argv);
    case 'reboot': {
      const health = await labReboot(cmd.name ?? defaultLabName, cmd.switch);
      console.log(`${health.name} rebooted: ${health.system}`);
      return EXIT.ok;
    }
  }
}

function printStatus(status: SwitchHealth[]): void {
  const rows = [['SWITCH', 'ADDRESS', 'CONTAINER', 'SSH', 'SYSTEM', 'REDIS']].concat(
    status.map((h) => [h.name, h.address, h.container, h.ssh ? 'up' : 'down', h.system, h.redis ? 'up' : 'down']),
  );
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows)
    console.log(
      r
        .map((cell, i) => cell.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    );
}

async function shell(lab: string, switchName: string, argv: string[]): Promise<number> {
  assertPreconditions();
  const state = await readState(lab);
  if (!state?.switches.some((s) => s.name === switchName)) {
    throw new ValidationError([{ message: `lab ${lab} has no switch named "${switchName}"`, hint: 'see `lab status` for the names' }]);
  }
  const cmd = switchCommand(lab, switchName, argv.length ? argv : ['/bin/bash', '-l']);
  if (!cmd) throw new Error(`switch ${switchName} is not running; \`lab up\` restarts it`);
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0], cmd.slice(1), { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? EXIT.failed));
  });
}
