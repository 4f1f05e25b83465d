import { isNotFound } from "../../aws/errors.ts";

/** A read whose "not found" is an answer (undefined), not an error. */
export async function orUndefined<T>(p: Promise<T>): Promise<T | undefined> {
  try {
    return await p;
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

export const iso = (d: Date | undefined) => (d ? d.toISOString() : undefined);

/** `arn:…:stateMachine:name:7` → 7 (undefined for an unqualified or alias ARN). */
export const versionNumber = (arn: string | undefined): number | undefined => {
  const m = /:(\d+)$/.exec(arn ?? "");
  return m ? Number(m[1]) : undefined;
};
