/// <reference lib="dom" />
/**
 * The page's exploration view: `lab explore`'s settings for one design (preemption bound,
 * budget), the worker's report (each distinct outcome with its count and witness, the
 * verdict, a clear message when the budget stopped the walk), and a witness replayed step
 * by step: one step per choice the run drew, the timeline and the event list of the run up
 * to it.
 *
 * @module
 */

import { type CoreWorker, el, h, onSubmit } from "./_dom.ts";
import { type ChoiceMark, EXPLORE_BUDGET_DEFAULT, type ExploreSettings } from "./_exploration.ts";
import type { ExploreAnswer, Meta, ReplayAnswer, RunView } from "./_protocol.ts";
import type { TimelineBar } from "./_timeline.ts";
import { timelineSpec } from "./_timeline_chart.ts";
import { chartWidth, draw, showEvents } from "./_views.ts";

/** What the exploration needs from the page. */
export interface ExploreContext {
  readonly worker: CoreWorker;
  /** The scenario text, the kernel chosen, and the scenario's name in replay commands. */
  scenario(): { text: string; kernel: string | null; file: string };
  /** Shows the scenario's problems beside the editor (the worker refused it). */
  problems(answer: Extract<ExploreAnswer, { ok: false }>): void;
  /** Records the exploration (and the witness replayed) in the page's URL. */
  share(explore: ExploreSettings, witness: number | undefined): Promise<void>;
}

/** The exploration view, once its controls are filled. */
export interface ExploreView {
  /** Sets the controls to shared settings. */
  apply(s: ExploreSettings): void;
  /** Explores with the controls' settings; then replays outcome `witness` if given. */
  explore(witness?: number): Promise<void>;
}

/** Fills the exploration's controls and wires them up. */
export function exploreView(meta: Meta, ctx: ExploreContext): ExploreView {
  const design = el<HTMLSelectElement>("explore-design");
  for (const d of meta.designs) {
    design.append(h("option", { value: d.name }, d.name));
    for (const v of d.variants) {
      design.append(h("option", { value: `${d.name}@${v}` }, `${d.name}@${v}`));
    }
  }
  const preemptions = el<HTMLInputElement>("explore-preemptions");
  const budget = el<HTMLInputElement>("explore-budget");
  const bugs = el("explore-bugs");
  for (const [name, bit] of Object.entries(meta.kernelBugs)) {
    const id = `explore-bug-${bit}`;
    bugs.append(
      h(
        "span",
        {},
        h("input", { type: "checkbox", id, value: String(bit) }),
        " ",
        h("label", { for: id }, h("code", {}, name), ` (bit ${bit})`),
      ),
      " ",
    );
  }
  const boxes = () => [...bugs.querySelectorAll<HTMLInputElement>("input")];
  budget.value = String(EXPLORE_BUDGET_DEFAULT);
  const status = el("explore-status");
  let explorations = 0;

  const read = (): ExploreSettings | string => {
    const k = preemptions.value.trim();
    const b = budget.value.trim();
    if (k !== "" && !/^[0-9]{1,15}$/.test(k)) {
      return `The preemption bound takes a whole number >= 0 (empty: no bound), got "${k}".`;
    }
    if (!/^[0-9]{1,15}$/.test(b) || Number(b) < 1) {
      return `The budget takes a whole number from 1, got "${b}".`;
    }
    const kernelBugs = boxes().reduce((m, x) => m | (x.checked ? Number(x.value) : 0), 0);
    return {
      design: design.value,
      preemptions: k === "" ? null : Number(k),
      budget: Number(b),
      ...(kernelBugs ? { kernelBugs } : {}),
    };
  };

  const explore = async (witness?: number) => {
    const settings = read();
    if (typeof settings === "string") {
      status.textContent = settings;
      return;
    }
    const button = el<HTMLButtonElement>("explore-run");
    button.disabled = true;
    status.textContent = "exploring every schedule (in the worker)…";
    try {
      const explored = ctx.scenario();
      const { text, kernel, file } = explored;
      const answer = await ctx.worker.ask<ExploreAnswer>({
        op: "explore",
        text,
        file,
        kernel,
        explore: settings,
      });
      if (!answer.ok) {
        ctx.problems(answer);
        el("exploration").hidden = true;
        status.textContent = `Not explored: the scenario has ${answer.problems.length} problem(s).`;
        return;
      }
      const r = answer.report;
      const again = (i: number) => replay(ctx, explored, r, i, settings);
      showReport(r, (i) => void again(i).catch(fail));
      explorations++;
      document.body.dataset.explored = String(explorations);
      await ctx.share(settings, undefined);
      status.textContent = `Explored ${r.schedules} schedule(s) of ${r.scenario} in ` +
        `${answer.ms.toFixed(0)} ms.`;
      if (witness !== undefined) await again(witness);
    } finally {
      button.disabled = false;
    }
  };
  const fail = onSubmit("explore-controls", "explore-run", status, () => explore());
  return {
    apply(s) {
      design.value = s.design;
      preemptions.value = s.preemptions === null ? "" : String(s.preemptions);
      budget.value = String(s.budget);
      for (const x of boxes()) x.checked = ((s.kernelBugs ?? 0) & Number(x.value)) !== 0;
    },
    explore,
  };
}

type Report = Extract<ExploreAnswer, { ok: true }>["report"];

/** The report: who, the budget's message, the verdict, and the outcomes' table. */
function showReport(r: Report, onReplay: (index: number) => void): void {
  el("exploration").hidden = false;
  el("replay").hidden = true;
  el("explore-identity").textContent = `${r.design} on scenario ${r.scenario}, kernel ` +
    `${r.kernel}, preemptions ${r.preemptions ?? "unbounded"}` +
    `${r.kernelBugs ? `, kernel bugs ${r.kernelBugs}` : ""}: ${r.schedules} schedule(s), ` +
    `${r.outcomes.length} distinct outcome(s) (${r.pruned} branches pruned by sleep sets).`;
  el("explore-budget-note").textContent = r.budgetMessage ?? "";
  el("explore-budget-note").hidden = r.budgetMessage === null;
  const verdict = el("explore-verdict");
  const v = r.verdict;
  const stated = !v?.stated
    ? ""
    : r.truncated
    ? ` The scenario states ${v.stated} for this walk; the budget stopped it before it could tell.`
    : ` The scenario states ${v.stated} for this walk (lab verify checks it): ` +
      (v.stated === v.verdict.toLowerCase() ? "it holds." : "it does NOT hold.");
  verdict.replaceChildren(
    ...(v
      ? [h("strong", {}, v.verdict), ` — ${v.line}.${stated}`]
      : ['The scenario states no condition (docs/scenario-format.md, "explore").']),
  );
  verdict.dataset.verdict = r.verdict?.verdict ?? "";
  const head = h(
    "tr",
    {},
    ...["schedules", "outcome", "witness", ""].map((t) => h("th", { scope: "col" }, t)),
  );
  const rows = r.outcomes.map((o, i) => {
    const button = h("button", { type: "button", "data-witness": String(i) }, "Replay");
    button.setAttribute("aria-label", `replay the witness of outcome ${i + 1} step by step`);
    button.addEventListener("click", () => onReplay(i));
    return h(
      "tr",
      { "data-count": String(o.count), "data-text": o.text },
      h("td", {}, String(o.count)),
      h("td", {}, o.text),
      h("td", {}, h("code", {}, o.replay)),
      h("td", {}, button),
    );
  });
  el("outcomes").replaceChildren(h("thead", {}, head), h("tbody", {}, ...rows));
}

/** Replays outcome `index`'s witness in the worker and shows its first step. */
async function replay(
  ctx: ExploreContext,
  explored: { text: string; kernel: string | null },
  r: Report,
  index: number,
  settings: ExploreSettings,
): Promise<void> {
  const outcome = r.outcomes[index];
  if (!outcome) throw new Error(`no outcome ${index + 1}: the report has ${r.outcomes.length}`);
  const { text, kernel } = explored;
  const answer = await ctx.worker.ask<ReplayAnswer>({
    op: "replay",
    text,
    design: r.design,
    kernel: kernel ?? r.kernel,
    choices: outcome.witness,
    kernelBugs: r.kernelBugs,
  });
  if (!answer.ok) return ctx.problems(answer);
  el("replay").hidden = false;
  const run = answer.run;
  const identity = el("replay-identity");
  identity.dataset.hash = run.outcome.events_hash;
  identity.replaceChildren(
    `Outcome ${index + 1} (${outcome.count} schedule(s)): `,
    h("code", {}, outcome.replay),
    ` — event-log hash ${run.outcome.events_hash}, ${answer.marks.length} choice(s).`,
  );
  const steps = answer.marks.length + 1;
  const range = el<HTMLInputElement>("replay-step");
  range.max = String(steps);
  const show = (step: number) => {
    step = Math.max(1, Math.min(steps, step));
    range.value = String(step);
    const mark = answer.marks[step - 1];
    const where = mark
      ? `Choice ${step} of ${answer.marks.length}: alternative ${mark.value}, drawn at ` +
        `${(mark.at_ns / 1e6).toFixed(6)} ms after ${mark.events} event(s).`
      : `The end of the run: ${run.eventTotal} event(s), returned ${run.outcome.errno}.`;
    el("replay-where").textContent = where;
    el("replay").dataset.step = String(step);
    showEvents(run, "replay-events", mark?.events ?? run.events.length);
    void draw("replay-timeline", timelineSpec(upTo(run, answer.marks, step), chartWidth()));
  };
  range.oninput = () => show(Number(range.value));
  el("replay-prev").onclick = () => show(Number(range.value) - 1);
  el("replay-next").onclick = () => show(Number(range.value) + 1);
  show(1);
  document.body.dataset.replayed = String(Number(document.body.dataset.replayed ?? 0) + 1);
  await ctx.share(settings, index);
}

/** The timeline's bars begun by step `step`, and a lane with the choices drawn by then. */
function upTo(
  run: RunView,
  marks: readonly ChoiceMark[],
  step: number,
): TimelineBar[] {
  const cut = marks[step - 1]?.at_ns;
  const bars = cut === undefined
    ? [...run.timeline]
    : run.timeline.filter((b) => b.start_ms * 1e6 <= cut)
      .map((b) => ({ ...b, end_ms: Math.min(b.end_ms, cut / 1e6) }));
  const choices = marks.slice(0, step).map((m, i) => ({
    lane: "scheduler choices",
    order: -1,
    start_ms: m.at_ns / 1e6,
    end_ms: m.at_ns / 1e6,
    kind: "scheduler choice" as const,
    name: `choice ${i + 1}: alternative ${m.value}`,
  }));
  return [...choices, ...bars];
}
