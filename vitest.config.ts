import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e tests spawn the built CLI; build once before the run.
    globalSetup: ['test/helpers/global-setup.ts'],
    // PSObject members live in private fields: compare them through their accessors.
    setupFiles: ['test/helpers/psobject-equality.ts'],
  },
});
