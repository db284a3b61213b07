/// <reference lib="dom" />
/**
 * The playground page: the controls (scenario, designs, variant, kernel, seed), the run
 * through the worker, the URL that reproduces it, and the results (`_views.ts`).
 *
 * @module
 */

import type { ScenarioProblem } from "../../engine/scenario/mod.ts";
import {
  type Meta,
  type RunAnswer,
  type ScenarioSource,
  type Settings,
  settingsFromHash,
  settingsToHash,
  SITE_INDEX,
  type SiteIndex,
} from "./_protocol.ts";
import { showResults } from "./_views.ts";
import { exploreView } from "./_explore_page.ts";
import type { ExploreSettings } from "./_exploration.ts";
import { connect, type CoreWorker, el, fetchOk, h, onSubmit } from "./_dom.ts";

/** The scenario the page opens with. */
const FIRST_SCENARIO = "dstate-little-core.json";

/** The page's state beyond its controls. */
interface State {
  source: ScenarioSource;
  runs: number;
  /** The last exploration, and the witness replayed, for the URL. */
  explore?: ExploreSettings;
  witness?: number;
}

/** Starts the page: asks the worker what it knows, fills the controls, runs a shared URL. */
export async function startPage(script: URL): Promise<void> {
  const worker = connect(script);
  const status = el("status");
  status.textContent = "loading the core…";
  const [meta, site] = await Promise.all([
    worker.ask<Meta>({ op: "meta" }),
    fetchOk(SITE_INDEX).then((r) => r.json() as Promise<SiteIndex>),
  ]);
  const state: State = { source: { kind: "file", path: FIRST_SCENARIO }, runs: 0 };
  fillControls(meta, site);
  el("abi").textContent = String(meta.abi);
  const json = el<HTMLTextAreaElement>("scenario-json");
  const fileSel = el<HTMLSelectElement>("scenario-file");
  const pointSel = el<HTMLSelectElement>("scenario-point");

  const load = async (source: ScenarioSource) => {
    state.source = source;
    fileSel.value = source.kind === "file" ? source.path : "";
    pointSel.value = source.kind === "point" ? source.name : "";
    status.textContent = "loading the scenario…";
    json.value = await scenarioText(worker, site, source);
    showProblems([]);
    status.textContent = "";
  };
  fileSel.addEventListener("change", () => {
    if (fileSel.value) void load({ kind: "file", path: fileSel.value }).catch(report);
  });
  pointSel.addEventListener("change", () => {
    if (pointSel.value) void load({ kind: "point", name: pointSel.value }).catch(report);
  });
  json.addEventListener("input", () => {
    state.source = { kind: "json", text: json.value };
    fileSel.value = "";
    pointSel.value = "";
  });

  /** Puts the settings (the exploration's too) in the URL and the link to share. */
  const share = async () => {
    const settings = readSettings(state.source, json.value);
    history.replaceState(
      null,
      "",
      await settingsToHash({ ...settings, explore: state.explore, witness: state.witness }),
    );
    el<HTMLInputElement>("share").value = location.href;
    el("share-line").hidden = false;
  };
  const explorer = exploreView(meta, {
    worker,
    scenario: () => ({
      text: json.value,
      kernel: el<HTMLSelectElement>("kernel").value || null,
      file: state.source.kind === "file" ? `scenarios/${state.source.path}` : "scenario.json",
    }),
    problems: (answer) => showProblems(answer.problems),
    share: async (explore, witness) => {
      showProblems([]);
      state.explore = explore;
      state.witness = witness;
      await share();
    },
  });

  const run = async () => {
    const settings = readSettings(state.source, json.value);
    if (settings.designs.length === 0) {
      status.textContent = "Pick at least one design.";
      return;
    }
    el<HTMLButtonElement>("run").disabled = true;
    status.textContent = "running…";
    try {
      const answer = await worker.ask<RunAnswer>({
        op: "run",
        text: json.value,
        settings: { designs: settings.designs, kernel: settings.kernel, seed: settings.seed },
      });
      if (!answer.ok) {
        showProblems(answer.problems);
        el("results").hidden = true;
        status.textContent = `Not run: the scenario has ${answer.problems.length} problem(s).`;
        return;
      }
      showProblems([]);
      state.runs++;
      document.body.dataset.runs = String(state.runs);
      await share();
      showResults(answer, { worker, site });
      status.textContent = `Ran ${answer.runs.length} design(s) on ${answer.scenario}, kernel ` +
        `${answer.kernel}, seed ${answer.seed}, in ${answer.ms.toFixed(0)} ms.`;
    } finally {
      el<HTMLButtonElement>("run").disabled = false;
    }
  };
  const report = onSubmit("controls", "run", status, run);
  el("copy").addEventListener("click", () => {
    void navigator.clipboard?.writeText(el<HTMLInputElement>("share").value);
  });

  const shared = await settingsFromHash(location.hash);
  if (shared) {
    applySettings(shared);
    await load(shared.source);
    if (shared.designs.length) await run();
    if (shared.explore) {
      explorer.apply(shared.explore);
      await explorer.explore(shared.witness);
    }
  } else {
    await load(state.source);
  }
  document.body.dataset.ready = "true";
}

/** The scenario text of a source. */
async function scenarioText(
  worker: CoreWorker,
  site: SiteIndex,
  source: ScenarioSource,
): Promise<string> {
  if (source.kind === "json") return source.text;
  if (source.kind === "point") return await worker.ask<string>({ op: "point", name: source.name });
  if (!site.scenarios.includes(source.path)) throw new Error(`no shipped scenario ${source.path}`);
  return await (await fetchOk(`scenarios/${source.path}`)).text();
}

function fillControls(meta: Meta, site: SiteIndex): void {
  const fileSel = el<HTMLSelectElement>("scenario-file");
  for (const path of site.scenarios) fileSel.append(h("option", { value: path }, path));
  const pointSel = el<HTMLSelectElement>("scenario-point");
  for (const x of meta.points) {
    const group = h("optgroup", { label: x.experiment });
    for (const name of x.names) group.append(h("option", { value: name }, name));
    pointSel.append(group);
  }
  const kernel = el<HTMLSelectElement>("kernel");
  for (const k of meta.kernels) kernel.append(h("option", { value: k }, k));
  const list = el("design-list");
  for (const d of meta.designs) {
    const id = `design-${d.name}`;
    const box = h("input", { type: "checkbox", id, value: d.name, checked: "" });
    const row = h(
      "li",
      {},
      box,
      " ",
      h("label", { for: id }, h("code", {}, d.name)),
      h("span", { class: "call" }, ` ${d.call} — ${d.status}`),
    );
    if (d.variants.length) {
      const variant = h("select", { id: `${id}-variant`, "aria-label": `${d.name} variant` });
      variant.append(h("option", { value: "" }, "variant: the kernel's"));
      for (const v of d.variants) variant.append(h("option", { value: v }, v));
      row.append(" ", variant);
    }
    list.append(row);
  }
}

/** The settings the controls hold. */
function readSettings(source: ScenarioSource, text: string): Settings {
  const designs: string[] = [];
  for (const box of document.querySelectorAll<HTMLInputElement>("#design-list input")) {
    if (!box.checked) continue;
    const variant = document.getElementById(`${box.id}-variant`) as HTMLSelectElement | null;
    designs.push(variant?.value ? `${box.value}@${variant.value}` : box.value);
  }
  const kernel = el<HTMLSelectElement>("kernel").value || null;
  const seedText = el<HTMLInputElement>("seed").value.trim();
  const seed = seedText === "" ? null : Number(seedText);
  return {
    source: source.kind === "json" ? { kind: "json", text } : source,
    designs,
    kernel,
    seed: seed !== null && Number.isSafeInteger(seed) && seed >= 0 ? seed : null,
  };
}

/** Sets the controls to a shared URL's settings. */
function applySettings(s: Settings): void {
  const chosen = new Map(s.designs.map((d) => {
    const [name, variant] = d.split("@");
    return [name, variant ?? ""];
  }));
  for (const box of document.querySelectorAll<HTMLInputElement>("#design-list input")) {
    box.checked = chosen.has(box.value);
    const variant = document.getElementById(`${box.id}-variant`) as HTMLSelectElement | null;
    if (variant) variant.value = chosen.get(box.value) ?? "";
  }
  el<HTMLSelectElement>("kernel").value = s.kernel ?? "";
  el<HTMLInputElement>("seed").value = s.seed === null ? "" : String(s.seed);
}

/** The scenario's problems beside the editor, each with its JSON path. */
function showProblems(problems: readonly ScenarioProblem[]): void {
  const box = el("scenario-errors");
  box.replaceChildren();
  el("scenario-json").setAttribute("aria-invalid", problems.length ? "true" : "false");
  if (!problems.length) return;
  const list = h("ul");
  for (const p of problems) {
    list.append(h("li", { "data-path": p.path }, h("code", {}, p.path), `: ${p.message}`));
  }
  box.append(h("p", {}, `The scenario has ${problems.length} problem(s); nothing ran:`), list);
}
