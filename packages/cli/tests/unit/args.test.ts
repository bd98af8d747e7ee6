import { describe, expect, it } from 'vitest';
import { parseCliArgs } from '../../src/args';
import { UsageError } from '../../src/errors';
import { helpText } from '../../src/help';

describe('parseCliArgs', () => {
  it('reads repeated pools and groups, and the common flags', () => {
    const args = parseCliArgs([
      'doctor',
      '--pool',
      'web',
      '--pool',
      'nat',
      '--group',
      'web-asg',
      '--json',
      '--region',
      'eu-west-1',
      '--profile',
      'ops',
      '--endpoint-url',
      'http://127.0.0.1:4566',
      '--hook-prefix',
      'acme',
    ]);
    expect(args).toMatchObject({
      command: 'doctor',
      pools: ['web', 'nat'],
      groups: ['web-asg'],
      json: true,
      region: 'eu-west-1',
      profile: 'ops',
      endpointUrl: 'http://127.0.0.1:4566',
      hookPrefix: 'acme',
      tagKey: 'network-interface-manager-pool',
      placement: 'subnet',
    });
  });

  it('defaults the hook prefix to eni-pool and the scope to every pool', () => {
    expect(parseCliArgs(['doctor'])).toMatchObject({ hookPrefix: 'eni-pool', pools: [], groups: [] });
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"'],
    [['status', '--yes'], 'status does not take --yes'],
    [['plan', '--group', 'x'], 'plan does not take --group'],
    [['sync', '--hook-prefix', 'x'], 'sync does not take --hook-prefix'],
    [['status', '--pool', ''], '--pool needs a non-empty value'],
    [['status', '--placement', 'region'], '--placement must be "subnet" or "availability-zone"'],
    [['status', '--endpoint-url', 'not a url'], '--endpoint-url must be a URL'],
    [['status', 'web'], 'unexpected argument "web"'],
    [['status', '--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with a usage error', (argv, message) => {
    expect(() => parseCliArgs(argv)).toThrow(UsageError);
    expect(() => parseCliArgs(argv)).toThrow(message);
  });

  it('answers help for the whole tool and for one command', () => {
    expect(parseCliArgs([])).toMatchObject({ command: 'help' });
    expect(parseCliArgs(['--help'])).toMatchObject({ command: 'help' });
    expect(parseCliArgs(['help', 'sync'])).toMatchObject({ command: 'help', helpFor: 'sync' });
    expect(parseCliArgs(['doctor', '-h'])).toMatchObject({ command: 'help', helpFor: 'doctor' });
    expect(parseCliArgs(['--version'])).toMatchObject({ command: 'version' });
  });
});

describe('helpText', () => {
  it('names every command and every doctor check', () => {
    const text = helpText();
    for (const command of ['status', 'plan', 'sync', 'doctor']) expect(text).toContain(`eni-pool ${command}`);
    for (const check of [
      'pool-interfaces',
      'subnet-coverage',
      'capacity',
      'tag-propagation',
      'untagged-members',
      'lifecycle-hooks',
      'foreign-attachments',
      'permission-attach',
      'permission-detach',
    ]) {
      expect(helpText('doctor')).toContain(check);
    }
  });
});
