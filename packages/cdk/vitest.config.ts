import { defineProject } from 'vitest/config';
import { workspaceAliases } from '../../vitest.shared';

export default defineProject({
  resolve: { alias: workspaceAliases },
  test: {
    name: 'cdk',
    include: ['tests/**/*.test.ts'],
    globalSetup: ['tests/helpers/global-setup.ts'],
    // The first synthesis in a worker loads most of aws-cdk-lib; generous for a busy two-core runner.
    testTimeout: 60_000,
  },
});
