import { flow } from "flowc";

/** A switch takes one of two branches, chosen at run time; they meet again at `report`. */
export default flow({
  name: "switch-ts",
  parameters: { size: { type: "integer", default: 5 } },
  steps: {
    start: {
      switch: { big: "publish", small: "archive" },
      run: (ctx) => ctx.choose(ctx.params.size > 10 ? "big" : "small"),
    },
    publish: { next: "report", run: (ctx) => ctx.set("outcome", "published") },
    archive: { next: "report", run: (ctx) => ctx.set("outcome", "archived") },
    report: { next: "end", run: (ctx) => ctx.set("outcome", ctx.get<string>("outcome")) },
    end: { run: (ctx) => console.log(ctx.get("outcome")) },
  },
});
