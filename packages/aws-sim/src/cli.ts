#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { AwsSim } from './sim';

const USAGE = `Usage: aws-sim [--port N] [--host ADDR] [--seed-demo] [--throttling] [--seed N]

Starts a local EC2 / Auto Scaling / SQS simulator (a test double, not AWS) and runs until SIGINT/SIGTERM.

  --port N       port to listen on (default: a free port)
  --host ADDR    address to bind (default: 127.0.0.1)
  --seed-demo    create a demo world: VPC, 3 subnets in 3 AZs, pool "demo" (1 ENI per subnet),
                 Auto Scaling group "demo-asg" of 3 instances tagged with the pool
  --throttling   apply AWS's EC2 request buckets (RequestLimitExceeded when exceeded)
  --seed N       seed for ids and injected randomness (default: 1)
  -h, --help     show this help`;

async function main(): Promise<number> {
  let values: {
    port?: string;
    host?: string;
    'seed-demo'?: boolean;
    throttling?: boolean;
    seed?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'seed-demo': { type: 'boolean' },
        throttling: { type: 'boolean' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`aws-sim: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`aws-sim: --port must be an integer 0–65535, got '${values.port}'`);
    return 2;
  }
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed)) {
    console.error(`aws-sim: --seed must be an integer, got '${values.seed}'`);
    return 2;
  }
  const sim = await AwsSim.start({
    port,
    seed,
    throttling: values.throttling ?? false,
    ...(values.host ? { host: values.host } : {}),
  });
  console.log(`aws-sim listening on ${sim.endpoint} (a local test double, not AWS)`);
  if (values['seed-demo']) {
    const demo = sim.seedDemo();
    console.log(
      `seeded demo world: ${demo.vpcId}, subnets ${demo.subnetIds.join(', ')}, pool '${demo.poolName}' (${demo.interfaceIds.length} ENIs), group '${demo.groupName}'`,
    );
  }
  console.log(`\n  export AWS_ENDPOINT_URL=${sim.endpoint}`);
  console.log('  export AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test\n');

  await new Promise<void>((resolve) => {
    const done = (signal: NodeJS.Signals) => {
      console.log(`aws-sim: ${signal}, shutting down`);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
  });
  await sim.stop();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error('aws-sim failed:', error);
    process.exitCode = 1;
  },
);
