import pkg from "../package.json" with { type: "json" };

/** The flowc version stamped into every bundle and tag. */
export const FLOWC_VERSION: string = pkg.version;
