// Label and field selectors, as the Kubernetes API server parses them
// (k8s.io/apimachinery/pkg/labels and pkg/fields), for LIST requests.
//
// Supported label syntax: `a=b`, `a==b`, `a!=b`, `a`, `!a`, `a in (x,y)`,
// `a notin (x,y)`, `a>1`, `a<1`, combined with commas (AND).

export type LabelOp = "=" | "!=" | "in" | "notin" | "exists" | "!exists" | "gt" | "lt";

export interface LabelRequirement {
  key: string;
  op: LabelOp;
  values: string[];
}

export class SelectorError extends Error {}

const NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Validates a label key (`[prefix/]name`); returns an error message or undefined. */
export function labelKeyError(key: string): string | undefined {
  const slash = key.lastIndexOf("/");
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix.length === 0) return "prefix part must be non-empty";
    if (prefix.length > 253 || !DNS1123_SUBDOMAIN.test(prefix)) {
      return "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    }
  }
  if (name.length === 0) return "name part must be non-empty";
  if (name.length > 63) return "name part must be no more than 63 characters";
  if (!NAME.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Validates a label value; returns an error message or undefined. */
export function labelValueError(value: string): string | undefined {
  if (value.length > 63) return "must be no more than 63 characters";
  if (value.length > 0 && !NAME.test(value)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = "";
  for (const ch of s) {
    if (ch === "(") depth++;
    if (ch === ")") depth--;
    if (ch === "," && depth === 0) {
      out.push(cur);
      cur = "";
    } else {
      cur += ch;
    }
  }
  out.push(cur);
  return out;
}

function checkKey(key: string): string {
  const err = labelKeyError(key);
  if (err) throw new SelectorError(`unable to parse requirement: key: Invalid value: "${key}": ${err}`);
  return key;
}

function checkValue(value: string): string {
  const err = labelValueError(value);
  if (err) throw new SelectorError(`unable to parse requirement: values[0]: Invalid value: "${value}": ${err}`);
  return value;
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  const trimmed = selector.trim();
  if (trimmed === "") return [];
  const reqs: LabelRequirement[] = [];
  for (const raw of splitTerms(trimmed)) {
    const term = raw.trim();
    if (term === "") throw new SelectorError(`found '', expected: identifier`);
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^(\S+?)\s+(in|notin)\s*\(([^()]*)\)$/))) {
      const values = m[3]!
        .split(",")
        .map((v) => v.trim())
        .map(checkValue);
      reqs.push({ key: checkKey(m[1]!), op: m[2] as "in" | "notin", values });
    } else if ((m = term.match(/^!\s*([^\s=!<>()]+)$/))) {
      reqs.push({ key: checkKey(m[1]!), op: "!exists", values: [] });
    } else if ((m = term.match(/^([^\s=!<>()]+)\s*(==|=|!=|>|<)\s*([^\s=!<>(),]*)$/))) {
      const opText = m[2]!;
      const value = m[3]!;
      if (opText === ">" || opText === "<") {
        if (!/^-?\d+$/.test(value)) {
          throw new SelectorError(`unable to parse requirement: for 'Gt', 'Lt' operators, the value must be an integer`);
        }
        reqs.push({ key: checkKey(m[1]!), op: opText === ">" ? "gt" : "lt", values: [value] });
      } else {
        reqs.push({ key: checkKey(m[1]!), op: opText === "!=" ? "!=" : "=", values: [checkValue(value)] });
      }
    } else if ((m = term.match(/^([^\s=!<>()]+)$/))) {
      reqs.push({ key: checkKey(m[1]!), op: "exists", values: [] });
    } else {
      throw new SelectorError(`unable to parse requirement: couldn't parse the selector string "${selector}"`);
    }
  }
  return reqs;
}

export function matchesLabels(reqs: LabelRequirement[], labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  return reqs.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case "=":
      case "in":
        return has && r.values.includes(v!);
      case "!=":
      case "notin":
        return !has || !r.values.includes(v!);
      case "exists":
        return has;
      case "!exists":
        return !has;
      case "gt":
      case "lt": {
        if (!has || !/^-?\d+$/.test(v!)) return false;
        const n = Number(v);
        const x = Number(r.values[0]);
        return r.op === "gt" ? n > x : n < x;
      }
    }
  });
}

export interface FieldRequirement {
  field: "metadata.name" | "metadata.namespace";
  op: "=" | "!=";
  value: string;
}

/** Custom resources support only metadata.name and metadata.namespace field selectors. */
export function parseFieldSelector(selector: string, kindPlural: string): FieldRequirement[] {
  const trimmed = selector.trim();
  if (trimmed === "") return [];
  return trimmed.split(",").map((term) => {
    const m = term.trim().match(/^([^=!]+?)\s*(==|=|!=)\s*(.*)$/);
    if (!m) throw new SelectorError(`invalid selector: '${selector}'; can't understand '${term}'`);
    const field = m[1]!;
    if (field !== "metadata.name" && field !== "metadata.namespace") {
      throw new SelectorError(
        `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace" (resource ${kindPlural})`,
      );
    }
    return { field, op: m[2] === "!=" ? "!=" : "=", value: m[3]! };
  });
}

export function matchesFields(reqs: FieldRequirement[], meta: { name?: string; namespace?: string }): boolean {
  return reqs.every((r) => {
    const actual = r.field === "metadata.name" ? meta.name : meta.namespace;
    return r.op === "=" ? actual === r.value : actual !== r.value;
  });
}
