import { SourceMap, type SourceMapPayload } from "node:module";

/**
 * Stack traces of TypeScript flows in the user's own files. A flow runs as its code package (one
 * esbuild bundle, imported from `…/<sha256>.mjs`), so V8 reports positions in the bundle; the
 * package's source map (esbuild's, stored beside it as `<sha256>.mjs.map`) turns them back into
 * `flows/train.ts:12:5`. The map is kept apart from the code so that the package's bytes, and so
 * every content address and generated name derived from them, are the same as without it.
 */
const maps = new Map<string, SourceMap>();

/** Makes frames of the package `sha256` mappable. A map that cannot be read is ignored (frames stay as they are). */
export function registerSourceMap(sha256: string, map: string | Buffer | undefined): void {
  if (!map || maps.has(sha256)) return;
  try {
    maps.set(sha256, new SourceMap(JSON.parse(map.toString()) as SourceMapPayload));
  } catch {
    // A damaged map must not turn a step's own failure into a different one.
  }
}

export interface MappedFrame {
  /** The source as the bundle names it: relative to the folder flowc ran in (`flows/train.ts`). */
  source: string;
  line: number;
  col: number;
}

const FRAME = /(?:file:\/\/)?(\/[^\s():]*?([0-9a-f]{64})\.mjs):(\d+):(\d+)/g;

/** The original position of a 1-based line and column of package `sha256`, when its map knows it. */
export function originalPosition(sha256: string, line: number, col: number): MappedFrame | undefined {
  const entry = maps.get(sha256)?.findEntry(line - 1, col - 1);
  if (!entry || !("originalSource" in entry) || !entry.originalSource) return undefined;
  return { source: entry.originalSource.replace(/^file:\/\//, ""), line: entry.originalLine + 1, col: entry.originalColumn + 1 };
}

/** Every position in a code package in `stack`, as the original source's `file:line:col`. */
export function mapStack(stack: string): string {
  if (maps.size === 0) return stack;
  return stack.replace(FRAME, (whole, _path: string, sha: string, line: string, col: string) => {
    const o = originalPosition(sha, Number(line), Number(col));
    return o ? `${o.source}:${o.line}:${o.col}` : whole;
  });
}

/** The frames of `stack` that point into a code package, mapped, innermost first. */
export function mappedFrames(stack: string): MappedFrame[] {
  const out: MappedFrame[] = [];
  for (const m of stack.matchAll(FRAME)) {
    const o = originalPosition(m[2]!, Number(m[3]), Number(m[4]));
    if (o) out.push(o);
  }
  return out;
}
