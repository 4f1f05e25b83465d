import { flow } from "flowc";

/** Three steps in a row; each passes an artifact to the next. */
export default flow({
  name: "linear-ts",
  description: "Three steps in a row; each passes an artifact to the next.",
  parameters: { greeting: { type: "string", default: "hello" } },
  defaults: { timeout: "5m" },
  steps: {
    start: {
      next: "shout",
      run: (ctx) => ctx.set("message", ctx.params.greeting),
    },
    shout: {
      next: "end",
      run: (ctx) => ctx.set("message", ctx.get<string>("message").toUpperCase()),
    },
    end: {
      run: (ctx) => console.log(ctx.get("message")),
    },
  },
});
