import type { Command } from "commander";
import type { NotifySpec } from "../../compile/argo/notify.ts";
import { FAILURE_STATUSES, noticeText, webhookBody } from "../../contract/notice.ts";
import { takeRunContext } from "../../contract/run-context.ts";
import { EXIT, type Io } from "../io.ts";

interface Flags {
  status: string;
  run: string;
  failures?: string;
  context?: string;
}

/** How long one webhook may take, and how often it is tried. */
const TIMEOUT_MS = 10_000;
const TRIES = 3;

/**
 * `flowc notify`: the Argo exit handler's command (docs/operating.md, "Notifications"). It posts the
 * run's notice to the webhooks FLOWC_NOTIFY lists for the run's status. A notification that cannot be
 * sent is reported in the handler's log and never fails the run.
 */
export function registerNotify(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command("notify", { hidden: true })
    .description("Post a run's end to the webhooks of FLOWC_NOTIFY (the Argo exit handler runs it).")
    .requiredOption("--status <status>", "the Workflow's status: Succeeded, Failed or Error")
    .requiredOption("--run <name>", "the Workflow's name")
    .option("--failures <json>", "{{workflow.failures}}: the nodes that failed")
    .option("--context <json>", "the run context (_flowc): a resumed run's own run id")
    .action(async (flags: Flags) => {
      const spec = JSON.parse(io.env.FLOWC_NOTIFY ?? "{}") as NotifySpec;
      const failure = (FAILURE_STATUSES.argo as readonly string[]).includes(flags.status);
      const targets = (failure ? spec.onFailure : spec.onSuccess) ?? [];
      if (targets.length === 0) return done(EXIT.ok);
      const run = runIdOf(flags) ?? flags.run;
      const text = noticeText({
        flow: spec.flow,
        env: spec.env,
        run,
        status: flags.status,
        failed: failedNodes(flags.failures),
        ...(spec.link ? { link: spec.link.replace("{run}", flags.run) } : {}),
        ...(spec.file ? { file: spec.file } : {}),
        failure,
      });
      for (const t of targets) {
        const url = t.webhook ?? (t.webhookEnv ? io.env[t.webhookEnv] : undefined);
        if (!url) {
          io.stderr(`flowc notify: no URL for ${t.webhookEnv ?? "a webhook"} (is the secret mounted?)\n`);
          continue;
        }
        const error = await post(url, webhookBody(text));
        io.stderr(error ? `flowc notify: ${redact(url)}: ${error}\n` : `flowc notify: told ${redact(url)}\n`);
      }
      done(EXIT.ok);
    });
}

/** A resumed run's Workflow has a name of its own; the run is the one its context names. */
function runIdOf(flags: Flags): string | undefined {
  if (!flags.context || flags.context.startsWith("{{")) return undefined;
  return takeRunContext({ _flowc: flags.context }).input?.runId;
}

/** {{workflow.failures}}: [{displayName, message, templateName, phase, ...}], or the tag as written when there were none. */
function failedNodes(text: string | undefined): { step: string; message: string }[] {
  if (!text || text.startsWith("{{")) return [];
  try {
    const nodes = JSON.parse(text) as { displayName?: string; message?: string; templateName?: string }[];
    return nodes.filter((n) => n.displayName && n.templateName !== "main").map((n) => ({ step: n.displayName!, message: n.message ?? "" }));
  } catch {
    return [];
  }
}

async function post(url: string, body: unknown): Promise<string | undefined> {
  let last = "";
  for (let i = 0; i < TRIES; i++) {
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (res.ok) return undefined;
      last = `HTTP ${res.status}`;
      if (res.status < 500 && res.status !== 429) return last;
    } catch (e) {
      last = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, 500 * 2 ** i));
  }
  return last;
}

/** Webhook URLs carry their secret in the path: say only where they go. */
const redact = (url: string) => url.replace(/^(https?:\/\/[^/]+).*$/, "$1/…");
