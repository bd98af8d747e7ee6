import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS } from '../../src';

/**
 * No Docker engine runs where these tests run, so the Dockerfile is checked by reading it: its
 * instructions, parsed here with continuation lines joined, must make the image the README promises.
 */
const source = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');
interface Instruction {
  readonly stage: number;
  readonly keyword: string;
  readonly args: string;
}
function instructions(text: string): Instruction[] {
  const joined = text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n')
    .replace(/\\\n/g, ' ');
  let stage = -1;
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      if (keyword.toUpperCase() === 'FROM') stage += 1;
      return { stage, keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}
const all = instructions(source);
const last = Math.max(...all.map((i) => i.stage));
const runtime = all.filter((i) => i.stage === last);
const json = (args: string): string[] => JSON.parse(args) as string[];

describe('Dockerfile', () => {
  it('builds in one stage and runs from a separate Node 24 stage that copies only the deployed package', () => {
    const froms = all.filter((i) => i.keyword === 'FROM');
    expect(froms.length).toBeGreaterThanOrEqual(2);
    expect(source).toMatch(/^ARG NODE_IMAGE=node:24-slim$/m);
    expect(froms.at(-1)?.args).toBe(`\${NODE_IMAGE} AS runtime`);
    const copies = runtime.filter((i) => i.keyword === 'COPY');
    expect(copies).toHaveLength(1);
    expect(copies[0]?.args).toMatch(/^--from=build .*\/out \.\/$/);
    expect(all.find((i) => i.keyword === 'RUN' && i.args.includes('deploy --prod /out'))).toBeDefined();
    // The SDK clients, peers of the package, are made dependencies of the image before the deploy.
    const build = all.find((i) => i.keyword === 'RUN' && i.args.includes('deploy --prod /out'))!.args;
    expect(build.indexOf('peerDependencies')).toBeLessThan(build.indexOf('deploy --prod'));
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    for (const name of Object.keys(pkg.peerDependencies))
      expect(pkg.devDependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('runs as a non-root user under tini, with CMD ["node", …] in exec form', () => {
    const user = runtime.filter((i) => i.keyword === 'USER').at(-1);
    expect(user?.args).toBeDefined();
    expect(['root', '0']).not.toContain(user?.args);
    expect(json(runtime.find((i) => i.keyword === 'ENTRYPOINT')!.args)).toEqual(['/usr/bin/tini', '--']);
    expect(runtime.find((i) => i.keyword === 'RUN')?.args).toMatch(
      /apt-get install -y --no-install-recommends tini/,
    );
    const cmd = json(runtime.find((i) => i.keyword === 'CMD')!.args);
    expect(cmd[0]).toBe('node');
    expect(cmd[1]).toBe('dist/cli.js');
  });

  it('checks its health on the health port, which it exposes', () => {
    const check = runtime.find((i) => i.keyword === 'HEALTHCHECK');
    expect(check?.args).toMatch(/--interval=\d+s --timeout=\d+s/);
    const command = json(check!.args.slice(check!.args.indexOf('CMD') + 4));
    expect(command.slice(0, 2)).toEqual(['node', '-e']);
    expect(command[2]).toContain('/healthz');
    expect(command[2]).toContain('ENI_POOL_HEALTH_PORT');
    const port = SETTINGS.find((s) => s.env === 'ENI_POOL_HEALTH_PORT')!.defaultValue;
    expect(runtime.find((i) => i.keyword === 'EXPOSE')?.args).toBe(port);
    expect(runtime.find((i) => i.keyword === 'ENV')?.args).toContain(`ENI_POOL_HEALTH_PORT=${port}`);
  });

  it('runs the built CLI the package declares as its bin', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    expect(`./${json(runtime.find((i) => i.keyword === 'CMD')!.args)[1]}`).toBe(pkg.bin['eni-pool-sqs']);
    expect(pkg.files).toContain('dist');
  });

  const hadolint = spawnSync('hadolint', ['--version']).status === 0;
  it.skipIf(!hadolint)('passes hadolint', () => {
    const lint = spawnSync('hadolint', ['-'], { input: source, encoding: 'utf8' });
    expect(lint.status, lint.stdout).toBe(0);
  });
});
