// `flowc notify`, the Argo exit handler's command: it posts the run's notice to the webhooks of
// FLOWC_NOTIFY for the run's status (a loopback HTTP server stands in for Slack), names the failed
// steps from {{workflow.failures}}, the run id of a resumed run from its context, and never fails the
// run when a webhook cannot be told.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Io } from "../../src/cli/io.ts";
import { main } from "../../src/cli/main.ts";
import { noticeText } from "../../src/contract/notice.ts";

interface Received {
  path: string;
  body: { text: string };
}

let server: Server;
let base = "";
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.url === "/broken") {
        res.writeHead(400).end("no");
        return;
      }
      received.push({ path: req.url ?? "", body: JSON.parse(body) });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

async function notify(args: string[], spec: unknown, env: Record<string, string> = {}) {
  const io: Io & { err: string } = { err: "", isTTY: false, env: { FLOWC_NOTIFY: JSON.stringify(spec), ...env }, cwd: process.cwd(), stdout: () => {}, stderr: (t: string) => void (io.err += t) };
  const code = await main(["notify", ...args], io);
  return { code, err: io.err };
}

describe("GIVEN a WorkflowTemplate's notify spec with a failure webhook, one held in a secret, and a success webhook", () => {
  const spec = () => ({
    flow: "nightly",
    env: "prod",
    file: "flows/nightly.yaml",
    link: "https://argo.example.com/workflows/data/{run}",
    onFailure: [{ webhook: `${base}/fail` }, { webhookEnv: "FLOWC_NOTIFY_URL_1" }],
    onSuccess: [{ webhook: `${base}/ok` }],
  });

  it("WHEN a resumed run's Workflow failed THEN both failure hooks get the notice: the run id from its context, the failed step and its message, logs and resume commands, the link", async () => {
    received.length = 0;
    const failures = JSON.stringify([
      { displayName: "train", message: "Error (exit code 1)", templateName: "step-train", phase: "Failed" },
      { displayName: "nightly-abc-r1", message: "child failed", templateName: "main", phase: "Failed" },
    ]);
    const r = await notify(["--status", "Failed", "--run", "nightly-abc-r1", "--failures", failures, "--context", JSON.stringify({ runId: "nightly-abc" })], spec(), { FLOWC_NOTIFY_URL_1: `${base}/secret-hook` });
    expect(r.code).toBe(0);
    expect(received.map((x) => x.path).sort()).toEqual(["/fail", "/secret-hook"]);
    const expected = noticeText({ flow: "nightly", env: "prod", run: "nightly-abc", status: "Failed", failed: [{ step: "train", message: "Error (exit code 1)" }], link: "https://argo.example.com/workflows/data/nightly-abc-r1", file: "flows/nightly.yaml", failure: true });
    expect(received[0]!.body).toEqual({ text: expected });
    expect(expected).toContain("resume: flowc resume flows/nightly.yaml nightly-abc --env prod");
    // The hook's path is its token: the log names only the host.
    expect(r.err).not.toContain("/secret-hook");
  });

  it("WHEN the run succeeded THEN only the success hook is told, with no resume command", async () => {
    received.length = 0;
    const r = await notify(["--status", "Succeeded", "--run", "nightly-def", "--failures", "{{workflow.failures}}", "--context", "{{workflow.parameters._flowc}}"], spec());
    expect(r.code).toBe(0);
    expect(received.map((x) => x.path)).toEqual(["/ok"]);
    expect(received[0]!.body.text).toMatch(/^flowc: nightly \(prod\) run nightly-def Succeeded\n/);
    expect(received[0]!.body.text).not.toContain("resume:");
  });

  it("WHEN a webhook refuses, or its secret is not mounted THEN the handler says so and still exits 0 (a notice never fails the run)", async () => {
    received.length = 0;
    const r = await notify(["--status", "Error", "--run", "nightly-ghi"], { ...spec(), onFailure: [{ webhook: `${base}/broken` }, { webhookEnv: "FLOWC_NOTIFY_URL_1" }, { webhook: `${base}/fail` }] });
    expect(r.code).toBe(0);
    expect(r.err).toContain("HTTP 400");
    expect(r.err).toContain("no URL for FLOWC_NOTIFY_URL_1");
    expect(received.map((x) => x.path)).toEqual(["/fail"]);
  });
});
