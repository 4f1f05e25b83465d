import { RUN_CONTEXT_PARAM, type RunContextInput } from "../contract/run-context.ts";
import { hasPlaceholder, isJsonPath, literalText, parseTemplate } from "../flow/placeholders.ts";

/**
 * What a schedule or trigger passes when it starts a run, in the form every target uses: the mapped
 * parameters, with the values that hold placeholders left as templates and named in the run
 * context's `templates` (flowc step expands those, the same way on every target), literal values
 * as they are (`{{` already unescaped), JSONPaths into an event apart (the target resolves them).
 */
export interface StartArguments {
  /** Parameter → value passed as it is (a template, or a literal). */
  values: Record<string, string>;
  /** Parameter → JSONPath into the event (event triggers). */
  jsonPaths: Record<string, string>;
  /** The parameters whose values are templates. */
  templates: string[];
}

export function startArguments(mapping: Record<string, string>): StartArguments {
  const out: StartArguments = { values: {}, jsonPaths: {}, templates: [] };
  for (const [name, value] of Object.entries(mapping)) {
    if (isJsonPath(value)) {
      out.jsonPaths[name] = value;
      continue;
    }
    const parsed = parseTemplate(value);
    if (parsed.ok && !hasPlaceholder(parsed.parts)) out.values[name] = literalText(parsed.parts);
    else {
      out.values[name] = value;
      out.templates.push(name);
    }
  }
  return out;
}

/** The `_flowc` value a start path passes; placeholders of the target (event time…) go in as given. */
export function contextInput(trigger: string, args: StartArguments, extra: Omit<RunContextInput, "trigger" | "templates"> = {}): RunContextInput {
  return { trigger, ...extra, ...(args.templates.length ? { templates: args.templates } : {}) };
}

export { RUN_CONTEXT_PARAM };
