import { flow } from "flowc";

/** A static split into two branches; the join sees both. `right` is a container step. */
export default flow({
  name: "split-ts",
  steps: {
    start: { next: ["left", "right"], run: (ctx) => ctx.set("base", 20) },
    left: { next: "merge", run: (ctx) => ctx.set("value", ctx.get<number>("base") + 1) },
    right: {
      next: "merge",
      image: "public.ecr.aws/docker/library/node:20-slim",
      command: ["sh", "-c", 'echo $(( $(cat "$FLOWC_INPUT_DIR/base") * 2 )) > "$FLOWC_OUTPUT_DIR/value"'],
    },
    merge: {
      join: true,
      next: "end",
      run: (ctx) => ctx.set("total", ctx.inputs.reduce((sum, input) => sum + Number(input.get("value")), 0)),
    },
    end: { run: (ctx) => console.log("total", ctx.get("total")) },
  },
});
