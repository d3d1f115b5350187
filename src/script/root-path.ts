// Paths inside an offline root (the chroot connection), resolved on the control machine the way
// the kernel resolves them after chroot(2): `..` stops at the root and an absolute symlink starts
// again from the root. So `/etc/../../x` and a link `etc/sysctl.d -> /elsewhere` stay inside.
import { lstatSync, readlinkSync, type Stats } from 'node:fs';

/** As the kernel's ELOOP limit. */
const MAX_LINKS = 40;

export class RootPathError extends Error {}

export function resolveInRoot(root: string, path: string, follow: boolean): string {
  const base = root.replace(/\/+$/, '');
  let todo = path.split('/').filter((c) => c !== '' && c !== '.');
  const done: string[] = [];
  let hops = 0;
  while (todo.length) {
    const c = todo.shift()!;
    if (c === '..') {
      done.pop();
      continue;
    }
    const host = `${base}/${[...done, c].join('/')}`;
    if ((todo.length > 0 || follow) && lstatOrNull(host)?.isSymbolicLink()) {
      if (++hops > MAX_LINKS) throw new RootPathError(`${path}: too many levels of symbolic links inside ${root}`);
      const target = readlinkSync(host, 'utf8');
      if (target.startsWith('/')) done.length = 0;
      todo = [...target.split('/').filter((x) => x !== '' && x !== '.'), ...todo];
      continue;
    }
    done.push(c);
  }
  return `${base}/${done.join('/')}`;
}

function lstatOrNull(p: string): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}
