// Where a release lives on the host:
//   <prefix>/releases/<id>/          one unpacked artifact (bin/node, lib/portsyncd.mjs, …)
//   <prefix>/releases/<id>/.sha256   written last: the release is complete
//   <prefix>/current -> releases/<id>   switched atomically (ln -s to a temp name, mv -T)
export const releasesDir = (prefix: string) => `${prefix}/releases`;
export const releaseDir = (prefix: string, id: string) => `${releasesDir(prefix)}/${id}`;
export const releaseMarker = (prefix: string, id: string) => `${releaseDir(prefix, id)}/.sha256`;
export const currentLink = (prefix: string) => `${prefix}/current`;
/** Relative, so the whole prefix can move. */
export const currentTarget = (id: string) => `releases/${id}`;
export const uploadPath = (prefix: string, id: string) => `${releasesDir(prefix)}/.portsyncd-${id}.tar.gz`;
export const unitPath = (unit: string) => `/etc/systemd/system/${unit}`;
export const dropinPath = (unit: string, dropin: string) => `/etc/systemd/system/${unit}.d/${dropin}`;

/** The release id a `current` link target names, or undefined. */
export function idOfTarget(target: string | undefined): string | undefined {
  const m = /(?:^|\/)releases\/([0-9a-f]+)\/?$/.exec(target ?? '');
  return m?.[1];
}
