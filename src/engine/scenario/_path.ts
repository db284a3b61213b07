/**
 * JSON paths for problem messages: `$`, `$.cpus[3].capacity`,
 * `$["odd key"]`.
 * @module
 */

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]{0,63}$/;

/**
 * The longest key a path spells out in full; a longer one (a pasted blob as a key) is
 * cut, with its length, so that one problem stays one readable line.
 */
const KEY_CHARS_MAX = 64;

/** The path of `key` inside the object at `base`. */
export function keyPath(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return `${base}.${key}`;
  const shown = key.length <= KEY_CHARS_MAX
    ? key
    : `${key.slice(0, KEY_CHARS_MAX - 24)}...(${key.length} characters)`;
  return `${base}[${JSON.stringify(shown)}]`;
}

/** The path of element `index` inside the array at `base`. */
export function indexPath(base: string, index: number): string {
  return `${base}[${index}]`;
}
