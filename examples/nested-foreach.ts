import { flow } from "flowc";

const ten = [...Array(10).keys()];

/** A foreach inside a foreach (10 × 10), each closed by its own join. */
export default flow({
  name: "nested-foreach-ts",
  steps: {
    start: { foreach: true, next: "row", run: (ctx) => ctx.foreach(ten) },
    row: { foreach: true, next: "cell", run: (ctx) => ctx.foreach(ten.map((c) => `${ctx.item}:${c}`)) },
    cell: { next: "row_join", run: (ctx) => ctx.set("cell", String(ctx.item)) },
    row_join: { join: true, next: "grid_join", run: (ctx) => ctx.set("count", ctx.inputs.length) },
    grid_join: {
      join: true,
      next: "end",
      run: (ctx) => ctx.set("cells", ctx.inputs.reduce((s, i) => s + i.get<number>("count"), 0)),
    },
    end: { run: (ctx) => console.log("cells", ctx.get("cells")) },
  },
});
