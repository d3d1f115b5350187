// A chroot root holding busybox and its libraries, so commands can run inside it; `applets` are
// linked in /bin by name (sh, cp, …) for scripts that call them that way.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, copyFileSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';

export function busyboxRoot(root: string, applets: string[] = []): void {
  const libs = spawnSync('ldd', ['/bin/busybox'], { encoding: 'utf8' }).stdout.match(/\/\S+/g) ?? [];
  for (const f of ['/bin/busybox', ...libs]) {
    mkdirSync(join(root, dirname(f)), { recursive: true });
    copyFileSync(f, join(root, f));
  }
  chownSync(join(root, 'bin/busybox'), 0, 0);
  chmodSync(join(root, 'bin/busybox'), 0o755);
  for (const a of applets) symlinkSync('busybox', join(root, 'bin', a));
}
