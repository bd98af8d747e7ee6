import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageLambda } from '../../scripts/package.mjs';
import { createZip } from '../../scripts/zip.mjs';

/** Reads a ZIP through its central directory, the way unzip and Lambda do. */
function readZip(zip: Buffer): { name: string; data: Buffer; mode: number }[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = [];
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataStart = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const body = zip.subarray(dataStart, dataStart + size);
    const data = method === 8 ? inflateRawSync(body) : Buffer.from(body);
    expect(crc32(data) >>> 0).toBe(crc);
    entries.push({ name, data, mode });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

const hasUnzip = spawnSync('unzip', ['-v']).status === 0;

describe('createZip', () => {
  const entries = [
    { name: 'index.mjs', data: Buffer.from('export const handler = async () => 1;\n'.repeat(50)) },
    { name: 'tiny.txt', data: Buffer.from('x') },
  ];

  it('writes entries that read back byte for byte, as readable regular files', () => {
    const read = readZip(createZip(entries));
    expect(read.map((entry) => [entry.name, entry.data.toString()])).toEqual(
      entries.map((entry) => [entry.name, entry.data.toString()]),
    );
    for (const entry of read) expect(entry.mode).toBe(0o100644);
  });

  it('gives the same bytes for the same input', () => {
    expect(createZip(entries).equals(createZip(entries))).toBe(true);
  });

  it.skipIf(!hasUnzip)('passes unzip -t', () => {
    const dir = execFileSync('mktemp', ['-d']).toString().trim();
    const file = join(dir, 'test.zip');
    execFileSync('sh', ['-c', `cat > ${file}`], { input: createZip(entries) });
    expect(execFileSync('unzip', ['-t', file]).toString()).toMatch(/No errors detected/);
  });
});

describe('packageLambda', { timeout: 60_000 }, () => {
  let outDir: string;
  let sizes: { raw: number; gzip: number; zip: number };
  beforeAll(async () => {
    // A directory of its own, so a test run never clobbers a dist-lambda/ about to be deployed.
    ({ outDir, sizes } = await packageLambda({
      quiet: true,
      outDir: mkdtempSync(join(tmpdir(), 'eni-pool-lambda-')),
    }));
  }, 60_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('builds a bundle that starts on Node and answers both event shapes without AWS', () => {
    const [entry] = readZip(readFileSync(join(outDir, 'eni-pool-lambda.zip')));
    expect(entry?.name).toBe('index.mjs');
    expect(entry?.data.equals(readFileSync(join(outDir, 'index.mjs')))).toBe(true);
    expect(sizes.zip).toBeLessThan(sizes.raw);

    const script = `
      const { handler } = await import(${JSON.stringify(join(outDir, 'index.mjs'))});
      const rejected = await handler({ hello: 'world' });
      const batch = await handler({ Records: [{ messageId: 'm-1', body: 'junk', eventSource: 'aws:sqs' }] });
      process.stdout.write('RESULT ' + JSON.stringify({ rejected, batch }) + '\\n');
    `;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ENI_POOL_LOG_LEVEL: 'warn' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT '));
    expect(JSON.parse(line!.slice(7))).toEqual({
      rejected: expect.objectContaining({ status: 'rejected', error: 'UnsupportedEventError' }),
      batch: { batchItemFailures: [{ itemIdentifier: 'm-1' }] },
    });
    // Structured JSON logs from Powertools (warnings go to stderr), carrying the rejection.
    const logs = run.stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l));
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'WARN', service: 'eni-pool', error: 'UnsupportedEventError' }),
    );
  }, 60_000);

  it('fails the cold start with a ConfigurationError naming a bad variable', () => {
    const run = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(join(outDir, 'index.mjs'))});`],
      {
        env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1', ENI_POOL_MAX_ROUNDS: 'lots' },
        encoding: 'utf8',
      },
    );
    expect(run.status).not.toBe(0);
    expect(run.stderr).toMatch(/ConfigurationError/);
    expect(run.stderr).toMatch(/ENI_POOL_MAX_ROUNDS/);
  }, 60_000);
});
