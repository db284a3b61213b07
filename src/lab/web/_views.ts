/// <reference lib="dom" />
/**
 * The results of a run as the page shows them: `lab compare`'s table (with the event-log
 * hash), memory freed over time as an interactive chart, the per-CPU timeline, the event
 * list filterable by kind, and each design's source and documentation page beside its
 * result, with its errno explained and its traces to download.
 *
 * @module
 */

import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { lineChartSpec, type VegaLiteSpec } from "../charts/mod.ts";
import { designStyle, duration, pages } from "../report/mod.ts";
import { type CoreWorker, el, fetchOk, h } from "./_dom.ts";
import type { RunAnswer, RunView, SiteIndex } from "./_protocol.ts";
import { timelineSpec } from "./_timeline_chart.ts";

/** What the views need besides the answer. */
export interface ViewContext {
  /** The worker (trace downloads). */
  readonly worker: CoreWorker;
  /** What the build put in the site (design sources and pages). */
  readonly site: SiteIndex;
}

/** `lab compare`'s columns (src/lab/cli/_run.ts), then the event log's hash. */
const COLUMNS: readonly { title: string; raw(r: RunView): unknown; text(r: RunView): string }[] = [
  { title: "design", raw: (r) => r.label, text: (r) => r.label },
  { title: "ret", raw: (r) => r.outcome.errno, text: (r) => String(r.outcome.errno) },
  {
    title: "killed",
    raw: (r) => r.outcome.signal_delivered,
    text: (r) => r.outcome.signal_delivered ? "yes" : "no",
  },
  ...(["reclaimable_pages", "freed_pages"] as const).map((k) => ({
    title: k === "freed_pages" ? "freed" : "reclaimable",
    raw: (r: RunView) => r.outcome.memory[k],
    text: (r: RunView) => pages(r.outcome.memory[k]),
  })),
  ...(["t50_ns", "t90_ns", "t100_ns"] as const).map((k) => ({
    title: k.replace("_ns", ""),
    raw: (r: RunView) => r.outcome.memory[k],
    text: (r: RunView) => duration(r.outcome.memory[k]),
  })),
  ...(["caller", "victim", "kthreads"] as const).map((k) => ({
    title: `cpu:${k}`,
    raw: (r: RunView) => r.outcome.cpu_ns[k],
    text: (r: RunView) => duration(r.outcome.cpu_ns[k]),
  })),
  {
    title: "warnings",
    raw: (r) => r.outcome.warnings.map((w) => w.name),
    text: (r) =>
      r.outcome.warnings.length
        ? [...new Set(r.outcome.warnings.map((w) => w.name))].join(",")
        : "-",
  },
  {
    title: "event-log hash",
    raw: (r) => r.outcome.events_hash,
    text: (r) => r.outcome.events_hash,
  },
];

/** Shows a run's results. */
export function showResults(answer: RunAnswer & { ok: true }, ctx: ViewContext): void {
  el("results").hidden = false;
  el("identity").textContent = `scenario ${answer.scenario}, kernel ${answer.kernel}, seed ` +
    `${answer.seed}`;
  showTable(answer.runs);
  void draw("chart", memorySpec(answer));
  const pick = (id: string, onChange: (r: RunView) => void) => {
    const sel = el<HTMLSelectElement>(id);
    sel.replaceChildren(...answer.runs.map((r, i) => h("option", { value: String(i) }, r.label)));
    sel.onchange = () => onChange(answer.runs[Number(sel.value)]);
    onChange(answer.runs[0]);
  };
  pick("timeline-run", (r) => {
    el("timeline-count").textContent = r.timelineTotal > r.timeline.length
      ? `The first ${r.timeline.length} of ${r.timelineTotal} bars; trace.json holds all.`
      : "";
    void draw("timeline", timelineSpec(r.timeline, chartWidth()));
  });
  pick("events-run", (r) => showEvents(r, "events"));
  showPanels(answer, ctx);
}

function showTable(runs: readonly RunView[]): void {
  const head = h("tr", {}, ...COLUMNS.map((c) => h("th", { scope: "col" }, c.title)));
  const rows = runs.map((r) =>
    h(
      "tr",
      { "data-design": r.label },
      ...COLUMNS.map((c, i) =>
        h(i === 0 ? "th" : "td", {
          ...(i === 0 ? { scope: "row" } : {}),
          "data-col": c.title,
          "data-raw": JSON.stringify(c.raw(r)),
        }, c.text(r))
      ),
    )
  );
  el("table").replaceChildren(h("thead", {}, head), h("tbody", {}, ...rows));
}

/** The width charts are drawn at, from the page's. */
export function chartWidth(): number {
  return Math.max(260, Math.min((document.querySelector("main")?.clientWidth ?? 980) - 120, 860));
}

function memorySpec(answer: RunAnswer & { ok: true }): VegaLiteSpec {
  return lineChartSpec({
    title: "Memory freed over time, per design",
    subtitle: `${answer.scenario}, kernel ${answer.kernel}, seed ${answer.seed}`,
    x: { label: "time after the kill intent", unit: "ms" },
    y: { label: "victim memory freed", unit: "MiB" },
    series: answer.runs.map((r) => ({
      label: r.label,
      points: r.curve,
      color: designStyle(r.outcome.design).color,
    })),
    step: true,
    width: chartWidth(),
  });
}

/** The views drawn so far, by element, finalized before the next draw. */
const views = new Map<string, vega.View>();

/** Compiles a Vega-Lite spec and draws it as SVG into `#id` (hover shows the values). */
export async function draw(id: string, spec: VegaLiteSpec): Promise<void> {
  views.get(id)?.finalize();
  const compiled = compile(spec as unknown as TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), {
    renderer: "svg",
    container: `#${id}`,
    hover: true,
  });
  views.set(id, view);
  await view.runAsync();
  el(id).dataset.drawn = String(Number(el(id).dataset.drawn ?? 0) + 1);
}

/**
 * The event list of `r` into the table `#id`, filterable by kind (`#id-kind`), counted in
 * `#id-count`; `shown` events of it at most (a replay's step shows those logged so far).
 */
export function showEvents(r: RunView, id: string, upTo = r.events.length): void {
  const events = r.events.slice(0, upTo);
  const kinds = [...new Set(events.map((e) => e.kind))].sort();
  const sel = el<HTMLSelectElement>(`${id}-kind`);
  const keep = sel.value;
  sel.replaceChildren(
    h("option", { value: "" }, "every kind"),
    ...kinds.map((k) => h("option", { value: k }, k)),
  );
  sel.value = kinds.includes(keep) ? keep : "";
  const render = () => {
    const shown = events.filter((e) => sel.value === "" || e.kind === sel.value);
    const head = h(
      "tr",
      {},
      ...["time", "CPU", "task", "kind", "arguments"].map((t) => h("th", { scope: "col" }, t)),
    );
    const rows = shown.map((e) =>
      h(
        "tr",
        { "data-kind": e.kind },
        h("td", {}, duration(e.ts_ns)),
        h("td", {}, e.cpu < 0 ? "-" : String(e.cpu)),
        h("td", {}, `${e.comm}-${e.pid}`),
        h("td", {}, e.kind),
        h("td", {}, e.args),
      )
    );
    el(id).replaceChildren(h("thead", {}, head), h("tbody", {}, ...rows));
    const more = r.eventTotal > r.events.length && upTo >= r.events.length
      ? ` (the first ${r.events.length} of ${r.eventTotal} events; the traces hold all)`
      : "";
    el(`${id}-count`).textContent = `${shown.length} event(s)${more}`;
  };
  sel.onchange = render;
  render();
}

/** Each design beside its result: errno explained, source, documentation, traces. */
function showPanels(answer: RunAnswer & { ok: true }, ctx: ViewContext): void {
  const panels = answer.runs.map((r, i) => {
    const name = r.outcome.design;
    const notes = r.errnoNotes.length
      ? h("ul", {}, ...r.errnoNotes.map((n) => h("li", {}, n)))
      : h("p", {}, r.outcome.errno === 0 ? "The call succeeded." : "No further explanation.");
    const source = h("pre", { class: "source", tabindex: "0" }, "…");
    const doc = h("div", { class: "doc" }, "…");
    const file = ctx.site.sources[name] ?? "";
    const details = <HTMLDetailsElement> h(
      "details",
      { "data-design": r.label },
      h("summary", {}, h("code", {}, r.label), ` returned ${r.outcome.errno}`),
      h("h4", {}, `Why ${r.outcome.errno}`),
      notes,
      h(
        "p",
        { class: "downloads" },
        download(ctx.worker, answer, i, "json"),
        " ",
        download(ctx.worker, answer, i, "ftrace"),
      ),
      h(
        "div",
        { class: "beside" },
        h("section", {}, h("h4", {}, `Source: ${file}`), source),
        h("section", {}, h("h4", {}, `docs/proposals/${name}.md`), doc),
      ),
    );
    details.addEventListener("toggle", () => {
      if (!details.open || details.dataset.loaded) return;
      details.dataset.loaded = "true";
      void fetchOk(`designs/${name}.source.txt`).then(async (res) => {
        source.textContent = await res.text();
      }).catch((e) => source.textContent = (e as Error).message);
      if (ctx.site.docs.includes(name)) {
        void fetchOk(`designs/${name}.html`).then(async (res) => {
          doc.innerHTML = await res.text();
        }).catch((e) => doc.textContent = (e as Error).message);
      } else doc.textContent = "No page.";
    });
    return details;
  });
  el("design-panels").replaceChildren(...panels);
}

function download(
  worker: CoreWorker,
  answer: RunAnswer & { ok: true },
  index: number,
  format: "json" | "ftrace",
): HTMLElement {
  const ext = format === "json" ? "json" : "txt";
  const label = answer.runs[index].label;
  const file = `${answer.scenario}.${label}.trace.${ext}`;
  const button = h("button", { type: "button", "data-trace": ext }, `trace.${ext}`);
  button.setAttribute("aria-label", `download ${label}'s trace.${ext}`);
  button.addEventListener("click", async () => {
    const data = await worker.ask<Uint8Array>({ op: "trace", index, format });
    const url = URL.createObjectURL(
      new Blob([data as BlobPart], { type: ext === "json" ? "application/json" : "text/plain" }),
    );
    const a = h("a", { href: url, download: file });
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });
  return button;
}
