// Secrets in `flowc run`: values come from --secret NAME=VALUE or the environment (never a file), every
// step sees exactly the secrets it declares (command steps in their environment, TypeScript steps via
// ctx.secret and process.env), a missing or unknown secret stops the run before any step, and no
// value is written to the datastore. `flowc step` fails a task whose declared secret is absent.
import { readdirSync, rmSync, readFileSync, statSync } from "node:fs";
import { keys } from "../../src/contract/layout.ts";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { FIXTURES, ensureBuilt, flowc, localRun, runIdOf, tempDir } from "./helpers.ts";

const FLOW = join(FIXTURES, "secrets.ts");
const TOKEN = "tok-9f8e7d6c5b4a";
const PASSWORD = "pw-31415926535897";

function allFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? allFiles(p) : [p];
  });
}

beforeAll(() => ensureBuilt());

describe("GIVEN a flow whose steps declare secrets", () => {
  it("WHEN run with one secret from --secret and one from the environment THEN each step sees exactly its own, and no value reaches the datastore", async () => {
    const ds = tempDir();
    const r = await flowc(["run", FLOW, "--datastore", ds, "--secret", `API_TOKEN=${TOKEN}`], { cwd: ds, env: { DB_PASSWORD: PASSWORD } });
    expect(r.code, r.stderr).toBe(0);
    const run = localRun(ds, "rt-secrets", runIdOf(r));
    expect(JSON.parse(run.artifact("start", "seen"))).toEqual({ API_TOKEN: TOKEN.length, DB_PASSWORD: null });
    expect(JSON.parse(run.artifact("db", "seen"))).toEqual({ API_TOKEN: TOKEN.length, DB_PASSWORD: PASSWORD.length });
    expect(JSON.parse(run.artifact("check", "seen"))).toEqual({ API_TOKEN: TOKEN.length, DB_PASSWORD: null });
    expect(JSON.parse(run.artifact("check", "token"))).toBe(TOKEN.length);
    expect(run.artifact("check", "refused")).toMatch(/ctx\.secret\("DB_PASSWORD"\): the step declares only API_TOKEN/);
    for (const f of allFiles(ds)) {
      const text = readFileSync(f, "utf8");
      expect(text, f).not.toContain(TOKEN);
      expect(text, f).not.toContain(PASSWORD);
    }
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  it("WHEN a secret has no value THEN the run stops before any step, naming it and the steps that need it (exit 2)", async () => {
    const ds = tempDir();
    const r = await flowc(["run", FLOW, "--datastore", ds, "--secret", `API_TOKEN=${TOKEN}`], { cwd: ds, env: { DB_PASSWORD: undefined } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("secret `DB_PASSWORD` (step db) has no value");
    expect(r.stderr).toContain("pass --secret DB_PASSWORD=… or export DB_PASSWORD");
    expect(r.stderr).toContain("error SECRET_MISSING:"); expect(r.stderr).toContain("no step ran");
    expect(readdirSync(ds)).toEqual([]);
  });

  it("WHEN --secret names a secret no step declares THEN it is a usage error with a suggestion", async () => {
    const ds = tempDir();
    const r = await flowc(["run", FLOW, "--datastore", ds, "--secret", "API_TOKN=x", "--secret", `DB_PASSWORD=${PASSWORD}`], { cwd: ds, env: { API_TOKEN: TOKEN } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--secret API_TOKN: no step of flow `rt-secrets` declares a secret `API_TOKN`");
    expect(r.stderr).toContain("did you mean API_TOKEN?");
  });

  it("WHEN flowc step runs a task whose declared secret is absent from its environment THEN the task fails saying so", async () => {
    const ds = tempDir();
    const ok = await flowc(["run", FLOW, "--datastore", ds], { cwd: ds, env: { API_TOKEN: TOKEN, DB_PASSWORD: PASSWORD } });
    expect(ok.code).toBe(0);
    const spec = readdirSync(join(ds, "packages")).find((f) => f.endsWith(".json"))!;
    // As if `db` had not finished: a task whose done.json exists is skipped (docs/step-contract.md).
    rmSync(join(ds, keys.done({ flow: "rt-secrets", runId: runIdOf(ok), step: "db", index: "" })));
    const r = await flowc(["step", "--run-id", runIdOf(ok), "--step", "db", "--attempt", "1"], {
      cwd: ds,
      env: { FLOWC_ROOT: ds, FLOWC_SPEC: `packages/${spec}`, FLOWC_PARAMS: "{}", API_TOKEN: TOKEN, DB_PASSWORD: undefined },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("step `db` declares the secret DB_PASSWORD, which has no value in the task's environment");
  });
});
