// Runs the lab's command line in-process, capturing what it prints, for the CLI tests.

import { cli } from "../src/lab/cli/mod.ts";

/** What a command printed and its exit code. */
export interface Result {
  code: number;
  out: string;
  err: string;
}

/** Runs `f` with console.log and console.error captured. */
export async function capture(f: () => Promise<number>): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const saved = { log: console.log, error: console.error };
  console.log = (...a: unknown[]) => void out.push(a.join(" "));
  console.error = (...a: unknown[]) => void err.push(a.join(" "));
  try {
    const code = await f();
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    Object.assign(console, saved);
  }
}

/** `deno task lab ...args`, in-process. */
export const lab = (...args: string[]): Promise<Result> => capture(() => cli(args));
