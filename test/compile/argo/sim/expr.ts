/**
 * A tiny evaluator for the boolean expressions flowc writes into Argo: `depends` (task results such as
 * `a.Succeeded || (b.Succeeded && c.Skipped)`) and substituted `when` clauses (`'big' == 'big' || ...`).
 * Only what flowc emits is supported; anything else throws, so a test notices.
 */
type Tok = { k: "str" | "id" | "op" | "(" | ")"; v: string };

function lex(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === " ") i++;
    else if (c === "(" || c === ")") out.push({ k: c, v: c }), i++;
    else if (c === "!" && s[i + 1] !== "=") out.push({ k: "op", v: "!" }), i++;
    else if (s.startsWith("||", i) || s.startsWith("&&", i) || s.startsWith("==", i) || s.startsWith("!=", i)) out.push({ k: "op", v: s.slice(i, i + 2) }), (i += 2);
    else if (c === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) throw new Error(`unterminated string in ${s}`);
      out.push({ k: "str", v: s.slice(i + 1, end) });
      i = end + 1;
    } else {
      const m = /^[A-Za-z0-9_.-]+/.exec(s.slice(i));
      if (!m) throw new Error(`unexpected ${c} in ${s}`);
      out.push({ k: "id", v: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** Evaluates with `id` resolving identifiers (task results) and strings compared by ==/!=. */
export function evaluate(expr: string, id: (name: string) => boolean): boolean {
  const toks = lex(expr);
  let p = 0;
  const peek = () => toks[p];
  const or = (): boolean => {
    let v = and();
    while (peek()?.v === "||") p++, (v = and() || v);
    return v;
  };
  const and = (): boolean => {
    let v = atom();
    while (peek()?.v === "&&") p++, (v = atom() && v);
    return v;
  };
  const atom = (): boolean => {
    const t = toks[p++];
    if (!t) throw new Error(`unexpected end of ${expr}`);
    if (t.v === "!") return !atom();
    if (t.k === "(") {
      const v = or();
      if (toks[p++]?.k !== ")") throw new Error(`missing ) in ${expr}`);
      return v;
    }
    if (t.k === "str") {
      const op = toks[p++];
      const rhs = toks[p++];
      if (!op || (op.v !== "==" && op.v !== "!=") || rhs?.k !== "str") throw new Error(`expected a comparison in ${expr}`);
      return op.v === "==" ? t.v === rhs.v : t.v !== rhs.v;
    }
    if (t.k === "id") return id(t.v);
    throw new Error(`unexpected ${t.v} in ${expr}`);
  };
  const v = or();
  if (p !== toks.length) throw new Error(`trailing tokens in ${expr}`);
  return v;
}

/** Task names a `depends` expression mentions (the part before `.Result`). */
export function dependsTasks(expr: string): string[] {
  return [...new Set(lex(expr).filter((t) => t.k === "id").map((t) => t.v.slice(0, t.v.lastIndexOf("."))))];
}
