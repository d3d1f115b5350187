import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { latestArtifactPath, readArtifact } from '../../../modules/daemon/artifact.js';
import { readFailure } from '../../../src/read-regular.js';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

test("the bundle's <artifact>.sha256 is read instead of hashing, only while it is no older than the artifact and names it", () => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-artifact-'));
  try {
    // The sidecar's hash differs from the content's, so the result shows which one was used.
    const claimed = 'ab'.repeat(32);
    const write = (name: string, sidecar: string, age = 0) => {
      const path = join(dir, name);
      writeFileSync(path, `content of ${name}`);
      writeFileSync(`${path}.sha256`, sidecar);
      if (age) utimesSync(`${path}.sha256`, new Date(Date.now() - age), new Date(Date.now() - age));
      return path;
    };
    const used = write('portsyncd-abababababab.tar.gz', `${claimed}  portsyncd-abababababab.tar.gz\n`);
    assert.deepEqual(readArtifact(used), { path: used, sha256: claimed, id: 'abababababab', size: 40 });

    const hashed = (name: string, sidecar: string, age = 0) => {
      const path = write(name, sidecar, age);
      assert.equal(readArtifact(path).sha256, sha(`content of ${name}`), name);
    };
    hashed('a-abababababab.tar.gz', `${claimed}  a-abababababab.tar.gz\n`, 60_000); // older than the artifact
    hashed('b-abababababab.tar.gz', `${claimed}  other.tar.gz\n`); // names another file
    hashed('c-cdcdcdcdcdcd.tar.gz', `${claimed}  c-cdcdcdcdcdcd.tar.gz\n`); // disagrees with the name's prefix
    hashed('d.tar.gz', 'not a checksum\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the latest bundle is the one LATEST names; an architecture never built is a missing file, said as such', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'psd-latest-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'LATEST'), 'portsyncd-abababababab.tar.gz\n');
  assert.equal(latestArtifactPath(dir, 'x64'), join(dir, 'portsyncd-abababababab.tar.gz'));
  assert.throws(
    () => latestArtifactPath(dir, 'arm64'),
    (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT' && readFailure(e) === 'no such file',
  );
  writeFileSync(join(dir, 'LATEST-arm64'), 'portsyncd-arm64-cdcdcdcdcdcd.tar.gz\n');
  assert.equal(latestArtifactPath(dir, 'arm64'), join(dir, 'portsyncd-arm64-cdcdcdcdcdcd.tar.gz'));
});
