import type { DocPath, SourceLocator, Span } from "../flow/load/source.ts";
import { loadYamlFlowPrecise } from "../flow/load/yaml.ts";
import type { LoadedConfig } from "./load.ts";

const cache = new WeakMap<LoadedConfig, SourceLocator>();

/**
 * Where a path of flowc.config.yaml is written. The configuration is read on the fast path (js-yaml,
 * no positions); the document with source ranges is built once, the first time a diagnostic needs it.
 */
export function locateInConfig(loaded: LoadedConfig, path: DocPath, part: "key" | "value" = "key"): Span {
  let locator = cache.get(loaded);
  if (!locator) cache.set(loaded, (locator = loadYamlFlowPrecise(loaded.file, loaded.text).locator));
  return locator.locate(path, part);
}
