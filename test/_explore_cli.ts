/**
 * What `lab explore` prints, read back for the playground's tests: each outcome row (count,
 * outcome, the witness's replay command) and the condition's line, and the event-log hash
 * `lab replay --json` gives for a replay command. The CLI is run in-process (test/_cli.ts).
 */

import assert from "node:assert/strict";
import { lab } from "./_cli.ts";

/** One outcome as `lab explore` prints it. */
export interface CliOutcome {
  count: number;
  text: string;
  replay: string;
}

/** `lab explore <file> --design D [args]`: its outcomes and its condition line. */
export async function cliExplore(
  file: string,
  design: string,
  ...args: string[]
): Promise<{ outcomes: CliOutcome[]; verdict: string | null; code: number; err: string }> {
  const r = await lab("explore", file, "--design", design, ...args);
  const lines = r.out.split("\n");
  const outcomes = lines.flatMap((l, i) => {
    const m = /^\s+(\d+)\s{2}((?:ret|BROKEN) .*)$/.exec(l);
    return m ? [{ count: Number(m[1]), text: m[2], replay: lines[i + 1].trim() }] : [];
  });
  const verdict = lines.find((l) => l.startsWith("  condition "))?.trim() ?? null;
  return { outcomes, verdict, code: r.code, err: r.err };
}

/** The event-log hash of the run a printed replay command replays (`--json`). */
export async function cliReplayHash(command: string): Promise<string> {
  const args = command.split(" ");
  assert.deepEqual(args.slice(0, 3), ["deno", "task", "replay"], command);
  const r = await lab("replay", ...args.slice(3), "--json");
  const [result] = JSON.parse(r.out) as { outcome: { events_hash: string } }[];
  return result.outcome.events_hash;
}
