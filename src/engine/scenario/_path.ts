/**
 * JSON paths for problem messages: `$`, `$.cpus[3].capacity`,
 * `$["odd key"]`.
 * @module
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The path of `key` inside the object at `base`. */
export function keyPath(base: string, key: string): string {
  return IDENTIFIER.test(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

/** The path of element `index` inside the array at `base`. */
export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}
