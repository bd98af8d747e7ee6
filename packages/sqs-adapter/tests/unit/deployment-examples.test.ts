import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { readCliConfig, SETTINGS } from '../../src';

/** The deployment examples in examples/sqs-container, checked against what the container accepts. */
const ECS_PATH = fileURLToPath(
  new URL('../../../../examples/sqs-container/ecs-task-definition.json', import.meta.url),
);
const K8S_PATH = fileURLToPath(
  new URL('../../../../examples/sqs-container/kubernetes.yaml', import.meta.url),
);
// biome-ignore lint/suspicious/noExplicitAny: free-form manifests
type Json = any;
const ecs: Json = JSON.parse(readFileSync(ECS_PATH, 'utf8'));
const k8s: Json[] = parseAllDocuments(readFileSync(K8S_PATH, 'utf8')).map((doc) => doc.toJSON());

const known = new Set<string>(SETTINGS.map((s) => s.env));
const dockerfile = readFileSync(new URL('../../Dockerfile', import.meta.url), 'utf8');

/** The environment a manifest gives the container, checked the way the CLI checks it at start. */
function acceptedEnvironment(pairs: { name: string; value: string }[]) {
  for (const { name } of pairs) {
    if (!name.startsWith('AWS_')) expect(known, name).toContain(name);
  }
  const env = Object.fromEntries(pairs.map(({ name, value }) => [name, value]));
  const request = readCliConfig([], env);
  if (request.help) throw new Error('unexpected help');
  return request.config;
}

describe('examples/sqs-container/ecs-task-definition.json', () => {
  const [container] = ecs.containerDefinitions;

  it('sets only settings the container reads, with values it accepts', () => {
    const config = acceptedEnvironment(container.environment);
    // ECS sends SIGTERM, then SIGKILL after stopTimeout: the shutdown bound and the 5 s abort grace fit in it.
    expect(container.stopTimeout * 1000).toBeGreaterThanOrEqual(config.shutdownTimeoutMs + 5_000);
    expect(container.portMappings).toEqual([expect.objectContaining({ containerPort: config.healthPort })]);
    expect(container.healthCheck.command.join(' ')).toContain(`127.0.0.1:${config.healthPort}/healthz`);
  });

  it('runs as the image’s non-root user with a read-only root file system, logging to CloudWatch', () => {
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(container.user).toBe('1000:1000');
    expect(container.readonlyRootFilesystem).toBe(true);
    expect(container.logConfiguration.logDriver).toBe('awslogs');
    expect(ecs.taskRoleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
  });

  // The AWS CLI validates the request against the ECS API model before it sends anything; the endpoint
  // below refuses connections, so "could not connect" means the task definition passed that validation.
  const hasAwsCli = spawnSync('aws', ['--version']).status === 0;
  it.skipIf(!hasAwsCli)(
    'passes the ECS API model’s parameter validation (aws ecs register-task-definition)',
    () => {
      const run = spawnSync(
        'aws',
        [
          'ecs',
          'register-task-definition',
          '--cli-input-json',
          `file://${ECS_PATH}`,
          '--region',
          'eu-west-1',
          '--endpoint-url',
          'http://127.0.0.1:9',
          '--cli-connect-timeout',
          '1',
        ],
        {
          encoding: 'utf8',
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '/tmp',
            AWS_ACCESS_KEY_ID: 'x',
            AWS_SECRET_ACCESS_KEY: 'x',
            AWS_MAX_ATTEMPTS: '1',
          },
        },
      );
      const output = `${run.stdout}${run.stderr}`;
      expect(output).not.toMatch(/Parameter validation failed|Unknown parameter/);
      expect(output).toMatch(/Could not connect to the endpoint URL/);
    },
    60_000,
  );
});

describe('examples/sqs-container/kubernetes.yaml', () => {
  const deployment = k8s.find((doc) => doc.kind === 'Deployment');
  const account = k8s.find((doc) => doc.kind === 'ServiceAccount');
  const pod = deployment.spec.template.spec;
  const [container] = pod.containers;

  it('is a Deployment whose selector matches its pods, under its own service account', () => {
    expect(deployment.apiVersion).toBe('apps/v1');
    expect(account.apiVersion).toBe('v1');
    expect(pod.serviceAccountName).toBe(account.metadata.name);
    expect(deployment.metadata.namespace).toBe(account.metadata.namespace);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
  });

  it('sets only settings the container reads, probes /healthz and /readyz, and gives shutdown its time', () => {
    const config = acceptedEnvironment(container.env);
    const port = container.ports.find((p: Json) => p.name === 'health');
    expect(port.containerPort).toBe(config.healthPort);
    expect(container.livenessProbe.httpGet).toEqual({ path: '/healthz', port: 'health' });
    expect(container.readinessProbe.httpGet).toEqual({ path: '/readyz', port: 'health' });
    expect(pod.terminationGracePeriodSeconds * 1000).toBeGreaterThanOrEqual(config.shutdownTimeoutMs + 5_000);
    expect(deployment.spec.template.metadata.annotations['prometheus.io/port']).toBe(
      String(config.healthPort),
    );
  });

  it('runs as a non-root user without privilege escalation on a read-only root file system', () => {
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
  });
});
