/**
 * "Did you mean" for names typed on the command line (designs, variants, kernel versions,
 * options), by edit distance (`fastest-levenshtein`).
 *
 * @module
 */

import { distance } from "fastest-levenshtein";

/** The longest word compared: the distance is quadratic in the lengths. */
const WORD_CHARS_MAX = 64;

/** Whether `b` is `a` with two neighbouring characters swapped ("rnu" for "run"). */
function swapped(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  const i = [...a].findIndex((c, k) => c !== b[k]);
  return i >= 0 && i + 1 < a.length && a[i] === b[i + 1] && a[i + 1] === b[i] &&
    a.slice(i + 2) === b.slice(i + 2);
}

/**
 * The candidate closest to `word` when it is close enough to be a typo: equal ignoring
 * case, a cut-short spelling (at least 4 characters: "F3_DANG"), two neighbouring letters
 * swapped, or within an edit distance of a third of its length (at least 1, at most 3).
 *
 * @example
 * ```ts
 * import { closestName } from "./_suggest.ts";
 * closestName("sigkil", ["sigkill", "oom_reaper"]); // "sigkill"
 * ```
 */
export function closestName(word: string, candidates: readonly string[]): string | undefined {
  if (word.length === 0 || word.length > WORD_CHARS_MAX) return undefined;
  const folded = word.toLowerCase();
  const lower = candidates.map((c) => c.toLowerCase());
  const exact = lower.indexOf(folded);
  if (exact >= 0) return candidates[exact];
  if (folded.length >= 4) {
    const prefixed = lower.findIndex((c) => c.startsWith(folded));
    if (prefixed >= 0) return candidates[prefixed];
  }
  const transposed = lower.findIndex((c) => swapped(folded, c));
  if (transposed >= 0) return candidates[transposed];
  let best: string | undefined;
  let best_distance = Infinity;
  for (const c of candidates) {
    if (c.length > WORD_CHARS_MAX) continue;
    const d = distance(folded, c.toLowerCase());
    // On a tie, a candidate that continues the word wins ("6.1" is "6.18" cut short).
    const extends_word = c.toLowerCase().startsWith(folded);
    if (d < best_distance || (d === best_distance && extends_word)) [best, best_distance] = [c, d];
  }
  const allowed = Math.min(3, Math.max(1, Math.floor(word.length / 3)));
  return best_distance <= allowed ? best : undefined;
}

/** `; did you mean "x"?` (or `--x` for options), or the empty string. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const c = closestName(word, candidates);
  return c === undefined ? "" : `; did you mean ${c.startsWith("-") ? c : JSON.stringify(c)}?`;
}
