// The CLI's error paths as a user meets them: a stable code and a hint on every one, the documented
// exit codes (2 for usage), no internal errors, and --help examples that work with the shipped files.
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { Io } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";
import { compileFlowFile } from "../../src/compile/pipeline.ts";
import { promoteProblems } from "../../src/deploy/sfn/promote.ts";
import { ensureBuilt, ROOT, tempDir } from "../runtime/helpers.ts";

function capture(cwd = ROOT): Io & { out: string; err: string } {
  const io = {
    out: "",
    err: "",
    isTTY: false,
    env: { ...process.env, NO_COLOR: "1" },
    cwd,
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
  };
  return io;
}

async function flowc(args: string[], cwd = ROOT) {
  const io = capture(cwd);
  const code = await main(args, io);
  expect(io.err).not.toContain("internal error");
  return { code, out: io.out, err: io.err };
}

/** A `flowc: error CODE: …` line followed by a hint. */
const coded = (code: string) => new RegExp(`^flowc: error ${code}: .+\\n(?:.*\\n)*?  hint: \\S`, "m");

describe("GIVEN no command or a wrong one", () => {
  it("WHEN flowc runs with no arguments THEN it prints the help on stderr and exits 2; `flowc help` exits 0", async () => {
    const none = await flowc([]);
    expect(none.code).toBe(2);
    expect(none.err).toContain("Usage: flowc");
    expect((await flowc(["help"])).code).toBe(0);
  });

  it("WHEN an option or a required flag is wrong THEN commander's message comes coded, with the command's help as the hint", async () => {
    const r = await flowc(["validate", "--bogus", "x.yaml"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(coded("USAGE"));
    expect(r.err).toContain("flowc validate --help");
    const typo = await flowc(["valdate", "x.yaml"]);
    expect([typo.code, typo.err]).toEqual([2, expect.stringContaining("did you mean validate?")]);
  });
});

describe("GIVEN a wrong --env", () => {
  it("WHEN compile gets an environment that does not exist THEN it is a usage error (2) that names the environments, at the config's list", async () => {
    const r = await flowc(["compile", "examples/linear.yaml", "--target", "sfn", "--env", "prd"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^flowc\.config\.yaml:\d+:1: error CONFIG_ENV_UNKNOWN: no environment `prd`/m);
    expect(r.err).toContain("| environments:");
    expect(r.err).toContain("did you mean `prod`?");
  });

  it("WHEN a deploy-side command gets it THEN the same code, exit 2, and nothing about targets", async () => {
    for (const cmd of ["deploy", "diff", "trigger", "delete"]) {
      const r = await flowc([cmd, "examples/linear.yaml", "--env", "prd"]);
      expect([cmd, r.code]).toEqual([cmd, 2]);
      expect(r.err).toMatch(coded("CONFIG_ENV_UNKNOWN"));
      expect(r.err).not.toContain("cannot choose a target");
    }
  });

  it("WHEN the configuration names an environment badly THEN it says so in words at that key, without the schema's regex", async () => {
    const dir = tempDir("flowc-cli-");
    writeFileSync(join(dir, "flowc.config.yaml"), readFileSync(join(ROOT, "flowc.config.yaml"), "utf8").replace(/^ {2}prod:$/m, "  Prod:"));
    const r = await flowc(["compile", join(ROOT, "examples/linear.yaml"), "--target", "sfn", "--env", "Prod"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/flowc\.config\.yaml:\d+:3: error CONFIG_INVALID: environment name `Prod` is not valid: use lowercase letters/);
    expect(r.err).not.toMatch(/\^\[|\$"/);
    expect(r.err).not.toContain("property name must be valid");
  });
});

describe("GIVEN files that are not there", () => {
  it("WHEN a flow or the configuration is missing THEN the diagnostic has no empty code frame", async () => {
    const missing = await flowc(["validate", "no-such-flow.yaml"]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain("no-such-flow.yaml:1:1: error FILE_NOT_FOUND");
    expect(missing.err).not.toMatch(/^1 \| *$/m);
    const config = await flowc(["compile", "examples/linear.yaml", "--target", "sfn", "--env", "prod", "--config", "no-such.yaml"]);
    expect(config.code).toBe(1);
    expect(config.err).toContain("error CONFIG_INVALID: no configuration file no-such.yaml");
    expect(config.err).not.toMatch(/^1 \| *$/m);
  });

  it("WHEN the datastore is a file, not a folder THEN run reports the file system's refusal, coded", async () => {
    const dir = tempDir("flowc-cli-");
    writeFileSync(join(dir, "store"), "not a folder");
    const r = await flowc(["run", join(ROOT, "examples/linear.yaml"), "--datastore", join(dir, "store")], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(coded("IO_ERROR"));
    expect(r.err).toContain("ENOTDIR");
  });

  it("WHEN --datastore is s3:// with no bucket THEN DATASTORE_INVALID, a usage error", async () => {
    const r = await flowc(["runs", "--datastore", "s3://"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(coded("DATASTORE_INVALID"));
  });

  it("WHEN flowc step names a spec that is not in the datastore THEN SPEC_NOT_FOUND, exit 1", async () => {
    const dir = tempDir("flowc-cli-");
    const r = await flowc(["step", "--run-id", "r1", "--step", "start", "--root", dir, "--spec", "packages/0000.json"], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(coded("SPEC_NOT_FOUND"));
  });
});

describe("GIVEN run parameters", () => {
  it("WHEN --param has a typo (dya for day) THEN the usage error suggests the declared name", async () => {
    const r = await flowc(["run", "examples/train.yaml", "--param", "dya=2026-11-29", "--datastore", tempDir("flowc-cli-")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^flowc: error PARAM_UNKNOWN: unknown parameter `dya`: did you mean `day`\?/m);
    expect(r.err).toContain("error PARAM_MISSING: missing required parameter `day`");
    expect(r.err).toContain("no step ran");
    expect(r.err).toMatch(/hint: pass --param name=value; the flow takes: .*day \(string, required\)/);
  });
});

describe("GIVEN a finished local run", () => {
  const store = tempDir("flowc-cli-store-");
  let runId = "";
  beforeAll(async () => {
    ensureBuilt();
    const r = await flowc(["run", "examples/foreach.yaml", "--param", "width=3", "--datastore", store]);
    expect(r.code, r.err).toBe(0);
    runId = /run (\S+) of flow/.exec(r.out)![1]!;
  }, 60_000);

  it("WHEN show names an index a top-level step cannot have THEN TASK_NOT_FOUND, exit 1, listing its task", async () => {
    const r = await flowc(["show", `${runId}/start/5`, "--datastore", store]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(coded("TASK_NOT_FOUND"));
    expect(r.err).toContain("runs once, at the top level");
    expect(r.err).toContain(`${runId}/start/_`);
  });

  it("WHEN show names an item past the foreach's end THEN TASK_NOT_FOUND; an item that ran shows as before", async () => {
    const foreachStep = (await flowc(["show", runId, "--datastore", store])).out.match(/^ {2}(\S+) {2}3 tasks/m)![1]!;
    const past = await flowc(["show", `${runId}/${foreachStep}/7`, "--datastore", store]);
    expect(past.code).toBe(1);
    expect(past.err).toMatch(coded("TASK_NOT_FOUND"));
    expect(past.err).toContain("the run is succeeded");
    expect((await flowc(["show", `${runId}/${foreachStep}/2`, "--datastore", store])).code).toBe(0);
  });

  it("WHEN show names a step that is not there THEN STEP_NOT_FOUND with the closest name", async () => {
    const r = await flowc(["show", `${runId}/strat`, "--datastore", store]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(coded("STEP_NOT_FOUND"));
    expect(r.err).toContain("did you mean `start`?");
  });
});

describe("GIVEN the --help examples", () => {
  it("WHEN promote's example is compiled for both environments of the shipped flowc.config.yaml THEN promote finds nothing to refuse", async () => {
    const help = (await flowc(["promote", "--help"])).out;
    const m = /\$ flowc promote (\S+) --from (\S+) --to (\S+)\n/.exec(help)!;
    const [from, to] = await Promise.all([m[2]!, m[3]!].map((env) => compileFlowFile(join(ROOT, m[1]!), { target: "sfn", env, cwd: ROOT })));
    expect(from!.compiled && to!.compiled).toBeTruthy();
    expect(promoteProblems(from!.compiled!, to!.compiled!)).toEqual([]);
  });

  it("WHEN compile's example writes a bundle THEN it goes to a folder git ignores", async () => {
    const out = /\$ flowc compile \S+ .*--out (\S+)/.exec((await flowc(["compile", "--help"])).out)![1]!;
    const dir = tempDir("flowc-cli-git-");
    mkdirSync(join(dir, out), { recursive: true });
    writeFileSync(join(dir, ".gitignore"), readFileSync(join(ROOT, ".gitignore")));
    spawnSync("git", ["init", "-q"], { cwd: dir });
    expect(spawnSync("git", ["check-ignore", "-q", out], { cwd: dir }).status).toBe(0);
  });
});
