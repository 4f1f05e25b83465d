/** Internal entry for bench/: exposes stage functions without widening the public API. */
export { loadYamlFlow } from "./flow/load/yaml.ts";
export { validateFlow } from "./flow/validate/index.ts";
