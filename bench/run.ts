// The benchmarks land with the planner; `pnpm bench` runs them all from here.
export {};
