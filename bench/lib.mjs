// Benchmarks import the built library (npm run build), so they measure what users run.
export * from "../dist/bench-entry.js";
