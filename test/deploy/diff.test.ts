import { describe, expect, it } from "vitest";
import { diffValues, formatChange } from "../../src/deploy/diff.ts";
import { checkOwnership, TAG } from "../../src/deploy/ownership.ts";
import { withRetry } from "../../src/deploy/retry.ts";

describe("GIVEN two state machine definitions", () => {
  const before = { StartAt: "a", States: { a: { Type: "Task", Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 10 }], Next: "b" }, b: { Type: "Succeed" } } };
  const after = { StartAt: "a", States: { a: { Type: "Task", Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 20 }], Next: "c" }, c: { Type: "Succeed" } } };
  it("WHEN diffed THEN each state change is its own line, not one changed string", () => {
    const lines = diffValues(before, after).map((c) => formatChange(c));
    expect(lines).toEqual([
      "~ States.a.Retry[0].IntervalSeconds: 10 → 20",
      "~ States.a.Next: \"b\" → \"c\"",
      "- States.b: {\"Type\":\"Succeed\"}",
      "+ States.c: {\"Type\":\"Succeed\"}",
    ]);
  });
  it("WHEN nothing changed THEN the diff is empty", () => {
    expect(diffValues(before, structuredClone(before))).toEqual([]);
  });
});

describe("GIVEN arrays of named elements", () => {
  it("WHEN one is inserted THEN only it shows as added", () => {
    const keyOf = () => "name";
    const c = diffValues({ t: [{ name: "a", v: 1 }, { name: "b", v: 2 }] }, { t: [{ name: "x", v: 0 }, { name: "a", v: 1 }, { name: "b", v: 2 }] }, { keyOf });
    expect(c).toEqual([{ op: "added", path: ["t", "x"], after: { name: "x", v: 0 } }]);
  });
});

describe("GIVEN tags on a live resource", () => {
  const mine = "aaaa";
  it("THEN a missing resource is fine, a foreign one is refused, another owner needs --authorize", () => {
    expect(checkOwnership(undefined, mine)).toEqual({ ok: true, takeover: false });
    expect(checkOwnership({}, mine)).toMatchObject({ ok: false, reason: "not-flowc" });
    const other = { [TAG.managedBy]: "flowc", [TAG.owner]: "bbbb" };
    expect(checkOwnership(other, mine)).toMatchObject({ ok: false, reason: "other-owner", liveOwner: "bbbb" });
    expect(checkOwnership(other, mine, "cccc")).toMatchObject({ ok: false });
    expect(checkOwnership(other, mine, "bbbb")).toEqual({ ok: true, takeover: true });
    expect(checkOwnership({ [TAG.managedBy]: "flowc", [TAG.owner]: mine }, mine)).toEqual({ ok: true, takeover: false });
  });
});

describe("GIVEN a call that is throttled twice", () => {
  it("WHEN retried THEN it succeeds on the third attempt; a non-transient error is not retried", async () => {
    let n = 0;
    const r = await withRetry(async () => {
      if (++n < 3) throw Object.assign(new Error("Rate exceeded"), { name: "ThrottlingException" });
      return "ok";
    }, { sleep: async () => {} });
    expect([r, n]).toEqual(["ok", 3]);
    let m = 0;
    await expect(withRetry(async () => { m++; throw Object.assign(new Error("bad"), { name: "ValidationException" }); }, { sleep: async () => {} })).rejects.toThrow("bad");
    expect(m).toBe(1);
  });
});
