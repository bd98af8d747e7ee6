import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// biome-ignore lint/suspicious/noExplicitAny: package manifests are free-form JSON
type Json = any;

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const read = (path: string): Json => JSON.parse(readFileSync(join(root, path), 'utf8'));
const packages = readdirSync(join(root, 'packages'))
  .filter((dir) => existsSync(join(root, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, manifest: read(`packages/${dir}/package.json`) }))
  .filter(({ manifest }) => manifest.private !== true);
const apacheLicense = readFileSync(join(root, 'LICENSE'), 'utf8');

describe('the published packages', () => {
  it('are one fixed changesets group, so a release versions them together', () => {
    const config = read('.changeset/config.json');
    expect(config.fixed).toHaveLength(1);
    expect([...config.fixed[0]].sort()).toEqual(packages.map(({ manifest }) => manifest.name).sort());
    expect(new Set(packages.map(({ manifest }) => manifest.version)).size).toBe(1);
  });

  it.each(packages)('$manifest.name carries its licence and where it comes from', ({ dir, manifest }) => {
    expect(manifest.license).toBe('Apache-2.0');
    expect(apacheLicense).toMatch(/Apache License\s+Version 2\.0/);
    expect(readFileSync(join(root, 'packages', dir, 'LICENSE'), 'utf8')).toBe(apacheLicense);
    expect(manifest.files).toContain('LICENSE');
    expect(manifest.repository).toMatchObject({ type: 'git', directory: `packages/${dir}` });
    expect(manifest.homepage).toMatch(/^https:\/\//);
    expect(manifest.bugs.url).toMatch(/^https:\/\//);
    expect(manifest.keywords.length).toBeGreaterThan(2);
  });

  it.each(packages)(
    '$manifest.name supports Node 22 and 24 and leaves the AWS SDK to the application',
    ({ manifest }) => {
      expect(manifest.engines.node).toBe('>=22');
      for (const [name, range] of Object.entries<string>(manifest.dependencies ?? {})) {
        // One copy of the SDK: clients are peers, never dependencies.
        expect(name, name).not.toMatch(/^@aws-sdk\/|^@smithy\//);
        expect(range, name).toMatch(/^(\^|workspace:\^)/);
      }
      for (const [name, range] of Object.entries<string>(manifest.peerDependencies ?? {})) {
        expect(range, name).toMatch(/^\^/);
        // The repository tests against the version it pins as a dev dependency; it must be in the peer range.
        const pinned = manifest.devDependencies?.[name];
        expect(pinned, `${name} is also a dev dependency`).toMatch(/^\d+\.\d+\.\d+$/);
        const [floor, version] = [range.slice(1), pinned].map((v: string) => v.split('.').map(Number));
        expect(version?.[0], name).toBe(floor?.[0]);
        expect(version?.[1] ?? 0, name).toBeGreaterThanOrEqual(floor?.[1] ?? 0);
      }
    },
  );
});
