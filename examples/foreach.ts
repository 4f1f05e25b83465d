import { flow } from "flowc";

/** A foreach over `width` items with a retried body, gathered by a join. */
export default flow({
  name: "foreach-ts",
  parameters: { width: { type: "integer", default: 100 } },
  steps: {
    start: {
      foreach: true,
      parallelism: 50,
      next: "square",
      run: (ctx) => ctx.foreach([...Array(ctx.params.width).keys()]),
    },
    square: {
      next: "gather",
      retry: { times: 2, backoff: { delay: "1s" } },
      run: (ctx) => ctx.set("square", Number(ctx.item) ** 2),
    },
    gather: {
      join: true,
      next: "end",
      run: (ctx) => ctx.set("sum", ctx.inputs.reduce((s, i) => s + i.get<number>("square"), 0)),
    },
    end: { run: (ctx) => console.log("sum", ctx.get("sum")) },
  },
});
