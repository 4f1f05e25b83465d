import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start their own servers (moto, the Kubernetes double) on ephemeral ports.
    pool: "forks",
  },
});
