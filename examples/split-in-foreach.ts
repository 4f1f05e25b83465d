import { flow } from "flowc";

/** Each foreach item runs a static split of its own. */
export default flow({
  name: "split-in-foreach-ts",
  steps: {
    start: { foreach: true, next: "fork", run: (ctx) => ctx.foreach([1, 2, 3]) },
    fork: { next: ["double", "triple"], run: (ctx) => ctx.set("n", Number(ctx.item)) },
    double: { next: "combine", run: (ctx) => ctx.set("v", ctx.get<number>("n") * 2) },
    triple: { next: "combine", run: (ctx) => ctx.set("v", ctx.get<number>("n") * 3) },
    combine: { join: true, next: "gather", run: (ctx) => ctx.set("v", ctx.inputs.reduce((s, i) => s + i.get<number>("v"), 0)) },
    gather: { join: true, next: "end", run: (ctx) => ctx.set("total", ctx.inputs.reduce((s, i) => s + i.get<number>("v"), 0)) },
    end: { run: (ctx) => console.log("total", ctx.get("total")) },
  },
});
