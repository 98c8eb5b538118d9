import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The JSON report is what .ci/run counts; the default reporter is for people.
    reporters: ['default', 'json'],
    outputFile: { json: 'test-results/vitest.json' },
    // Safety nets for a hung test on a busy 2-core machine (child processes start slowly there);
    // tests wait on events, never on these.
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
