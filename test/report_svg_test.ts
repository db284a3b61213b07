// The review's charts are SVG documents that render: well-formed XML with an <svg> root in
// the SVG namespace, both axes with ticks and a label carrying the unit, and a legend with
// an entry per series. They never hide a series: every series is drawn, and lines that lie
// on one another are named in an overlap note with their values; one colour means one design
// in every chart; every point's marker has a <title> with its value and unit. Checked on
// charts made here and on every chart in docs/review/.

import assert from "node:assert/strict";
import { barChart, lineChart } from "../src/lab/report/svg.ts";
import { designs } from "../src/lab/designs/mod.ts";

interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

/**
 * A strict, small XML parser: elements, attributes (quoted, unique), text, comments,
 * the five predefined entities and character references. Throws on anything not
 * well-formed (unclosed or mismatched tags, a bare `<` or `&`, two roots, trailing text).
 */
function parseXml(src: string): XmlElement {
  let i = 0;
  const fail = (msg: string): never => {
    const line = src.slice(0, i).split("\n").length;
    throw new Error(`XML: ${msg} at line ${line}`);
  };
  const name = () => {
    const m = /^[A-Za-z_:][-A-Za-z0-9_:.]*/.exec(src.slice(i));
    if (!m) fail("expected a name");
    i += m![0].length;
    return m![0];
  };
  const ws = () => {
    while (i < src.length && /\s/.test(src[i])) i++;
  };
  const text = (raw: string) => {
    if (raw.includes("<")) fail("a bare < in text");
    return raw.replace(/&([^;]*);|&/g, (_whole, ent: string | undefined) => {
      if (ent === undefined) return fail("a bare &");
      const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
      if (ent in named) return named[ent];
      const num = /^#(x[0-9a-fA-F]+|[0-9]+)$/.exec(ent);
      if (!num) return fail(`unknown entity &${ent};`);
      return String.fromCodePoint(
        num[1][0] === "x" ? parseInt(num[1].slice(1), 16) : parseInt(num[1], 10),
      );
    });
  };
  const skipMisc = () => {
    for (;;) {
      ws();
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i);
        if (end < 0) fail("unclosed comment");
        i = end + 3;
      } else if (src.startsWith("<?", i)) {
        const end = src.indexOf("?>", i);
        if (end < 0) fail("unclosed processing instruction");
        i = end + 2;
      } else return;
    }
  };
  const element = (): XmlElement => {
    if (src[i] !== "<") fail("expected <");
    i++;
    const el: XmlElement = { name: name(), attrs: {}, children: [], text: "" };
    for (;;) {
      ws();
      if (src.startsWith("/>", i)) {
        i += 2;
        return el;
      }
      if (src[i] === ">") {
        i++;
        break;
      }
      const a = name();
      ws();
      if (src[i] !== "=") fail(`attribute ${a} without a value`);
      i++;
      ws();
      const q = src[i];
      if (q !== '"' && q !== "'") fail(`attribute ${a} not quoted`);
      const end = src.indexOf(q, i + 1);
      if (end < 0) fail(`attribute ${a} unterminated`);
      if (a in el.attrs) fail(`attribute ${a} twice`);
      el.attrs[a] = text(src.slice(i + 1, end));
      i = end + 1;
    }
    for (;;) {
      const lt = src.indexOf("<", i);
      if (lt < 0) fail(`<${el.name}> not closed`);
      el.text += text(src.slice(i, lt));
      i = lt;
      if (src.startsWith("</", i)) {
        i += 2;
        const close = name();
        if (close !== el.name) fail(`</${close}> closes <${el.name}>`);
        ws();
        if (src[i] !== ">") fail("expected >");
        i++;
        return el;
      }
      if (src.startsWith("<!--", i)) {
        const end = src.indexOf("-->", i);
        if (end < 0) fail("unclosed comment");
        i = end + 3;
        continue;
      }
      el.children.push(element());
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (i !== src.length) fail("content after the root element");
  return root;
}

function all(el: XmlElement, pred: (e: XmlElement) => boolean, out: XmlElement[] = []) {
  if (pred(el)) out.push(el);
  for (const c of el.children) all(c, pred, out);
  return out;
}

const hasClass = (cls: string) => (e: XmlElement) => (e.attrs.class ?? "").split(" ").includes(cls);

function textOf(el: XmlElement): string {
  return el.text + el.children.map(textOf).join("");
}

/** Asserts what every chart of the review must have; returns the legend's entries. */
function checkChart(svg: string, where: string): string[] {
  const root = parseXml(svg);
  assert.equal(root.name, "svg", `${where}: root element`);
  assert.equal(root.attrs.xmlns, "http://www.w3.org/2000/svg", `${where}: SVG namespace`);
  for (const dim of ["width", "height", "viewBox"]) {
    assert.ok(root.attrs[dim], `${where}: ${dim}`);
  }
  assert.ok(all(root, (e) => e.name === "title").length >= 1, `${where}: a <title>`);
  for (const axis of ["x-axis", "y-axis"]) {
    const [g] = all(root, hasClass(axis));
    assert.ok(g, `${where}: a ${axis}`);
    assert.ok(all(g, (e) => e.name === "line").length >= 1, `${where}: the ${axis} line`);
    const ticks = all(g, hasClass("tick"));
    assert.ok(ticks.length >= 2, `${where}: ${axis} has ${ticks.length} ticks`);
    for (const t of ticks) assert.ok(textOf(t).trim(), `${where}: every ${axis} tick has a label`);
    const [label] = all(g, hasClass("axis-label"));
    assert.ok(label, `${where}: ${axis} label`);
    // Value axes name their unit; a bar chart's vertical axis lists categories.
    if (axis === "x-axis" || hasClass("line-chart")(root)) {
      assert.match(textOf(label), /\(.+\)/, `${where}: ${axis} label names its unit`);
    }
  }
  const [legend] = all(root, hasClass("legend"));
  assert.ok(legend, `${where}: a legend`);
  const entries = all(legend, hasClass("legend-entry")).map((e) => textOf(e).trim());
  assert.ok(entries.length >= 1 && entries.every((t) => t.length > 0), `${where}: legend entries`);
  const series = all(root, hasClass("series"));
  assert.equal(series.length, entries.length, `${where}: one legend entry per series`);
  return entries;
}

Deno.test("a line chart is well-formed SVG with axes, units and a legend", () => {
  const svg = lineChart({
    title: 't90 <against> size & "placement"',
    subtitle: "escaping: < > & ' \"",
    x: { label: "size", unit: "MiB", log: true },
    y: { label: "t90", unit: "ms" },
    series: [
      { label: "sigkill", points: [[64, 17.6], [256, 65.8], [1024, 254]] },
      { label: "process_mrelease", points: [[64, 4.5], [256, null], [1024, 61]] },
      { label: "same as sigkill", points: [[64, 17.6], [256, 65.8], [1024, 254]] },
    ],
  });
  const entries = checkChart(svg, "lineChart");
  // Every series has its own legend entry, overlapping or not.
  assert.deepEqual(entries, ["sigkill", "process_mrelease", "same as sigkill"]);
  assert.match(svg, /size \(MiB, log scale\)/);
  assert.match(svg, /t90 \(ms\)/);
});

// What a chart draws, read back from its SVG.
interface DrawnLine {
  label: string;
  color: string;
  points: [number, number][];
  markers: XmlElement[];
}

function linesOf(svg: string): { lines: DrawnLine[]; note: string; root: XmlElement } {
  const root = parseXml(svg);
  const lines = all(root, hasClass("series")).map((g) => {
    const polys = all(g, (e) => e.name === "polyline");
    return {
      label: g.attrs["data-label"],
      color: polys[0]?.attrs.stroke ?? "",
      points: polys.flatMap((p) =>
        p.attrs.points.trim().split(/\s+/).map((xy) =>
          xy.split(",").map(Number) as [number, number]
        )
      ),
      markers: all(g, (e) => e.name === "path" || e.name === "circle" || e.name === "rect"),
    };
  });
  const note = all(root, hasClass("overlap-note"))
    .flatMap((g) => all(g, (e) => e.name === "text").map(textOf))
    .join(" ").replace(/\u00a0/g, " ");
  return { lines, note, root };
}

/**
 * Whether every vertex of `a` lies within `tol` px of one of `b`'s segments. The charts
 * note lines within 1.5 px of each other; the check looks for 1.3 px on coordinates rounded
 * to 0.1 px, so that rounding cannot make it see an overlap the chart did not.
 */
function coveredBy(a: DrawnLine, b: DrawnLine, tol = 1.3): boolean {
  const seg = (p: number[], q: number[], r: number[]) => {
    const [dx, dy] = [r[0] - q[0], r[1] - q[1]];
    const l2 = dx * dx + dy * dy;
    const t = l2 ? Math.max(0, Math.min(1, ((p[0] - q[0]) * dx + (p[1] - q[1]) * dy) / l2)) : 0;
    return Math.hypot(p[0] - q[0] - t * dx, p[1] - q[1] - t * dy);
  };
  return a.points.length > 0 && b.points.length > 0 &&
    a.points.every((p) =>
      b.points.length === 1
        ? seg(p, b.points[0], b.points[0]) <= tol
        : b.points.slice(1).some((q, i) => seg(p, b.points[i], q) <= tol)
    );
}

/**
 * No series is hidden: each is drawn (a polyline with points), and one whose line lies on
 * another's is named, with that other, in the overlap note, which gives a value with its unit.
 */
function checkNothingHidden(svg: string, where: string): DrawnLine[] {
  const { lines, note } = linesOf(svg);
  for (const l of lines) {
    assert.ok(l.points.length > 0, `${where}: ${l.label} is drawn`);
    for (const other of lines) {
      if (other === l || !coveredBy(l, other) || !coveredBy(other, l)) continue;
      assert.ok(
        note.includes(l.label) && note.includes(other.label),
        `${where}: ${l.label} lies on ${other.label}, and the overlap note does not say so: ${note}`,
      );
      assert.match(note, /\d ?(ns|µs|ms|s|B|KiB|MiB|GiB|processes)\b/, `${where}: values`);
    }
  }
  return lines;
}

/** Every marker and bar has a <title> with a number and a unit. */
function checkTitles(svg: string, where: string): void {
  const root = parseXml(svg);
  const marks = all(root, hasClass("series")).flatMap((g) =>
    all(g, (e) => ["path", "circle", "rect"].includes(e.name))
  );
  for (const m of marks) {
    const title = m.children.find((c) => c.name === "title");
    assert.ok(title, `${where}: a <${m.name}> without a <title>`);
    assert.match(
      textOf(title),
      /\d(\.\d+)? (ns|µs|ms|s|B|KiB|MiB|GiB|processes)\b/,
      `${where}: "${textOf(title)}" has no value with a unit`,
    );
  }
}

Deno.test("overlapping lines are all drawn, and a note names them with their values", () => {
  const svg = lineChart({
    title: "t90",
    x: { label: "d", unit: "ms", log: true },
    y: { label: "t90", unit: "ms", log: true },
    series: [
      { label: "a", points: [[10, 39.43], [100, 39.43], [1000, 39.43]] },
      { label: "b", points: [[10, 39.2], [100, 39.2], [1000, 39.2]] },
      { label: "c", points: [[10, 600], [100, 700], [1000, 800]] },
      { label: "d", points: [[10, 600], [100, 700], [1000, 800]] },
    ],
  });
  checkChart(svg, "overlap");
  const lines = checkNothingHidden(svg, "overlap");
  assert.deepEqual(lines.map((l) => l.label), ["a", "b", "c", "d"]);
  const { note } = linesOf(svg);
  // Near: both values; equal: the one value they share.
  assert.match(note, /a 39\.43 ms and b 39\.20 ms at/);
  assert.match(
    note,
    /c and d are drawn as one line: equal at every point \(800\.0 ms at 1\.000 s\)/,
  );
  checkTitles(svg, "overlap");
  // Each series has its own marker shape: c's and d's markers on one spot both show.
  const [c, d] = [lines[2], lines[3]];
  assert.equal(c.markers.length, 3);
  c.markers.forEach((m, i) => assert.notEqual(m.attrs.d, d.markers[i].attrs.d));
});

Deno.test("a stacked bar chart is well-formed SVG with axes, units and a legend", () => {
  const svg = barChart({
    title: "CPU time by context",
    categories: ["sigkill", "process_mrelease"],
    categoryAxis: "design",
    stacks: [
      { label: "caller", values: [0, 43.5] },
      { label: "victim", values: [141.5, 0.5] },
      { label: "kthreads", values: [0, 0] },
    ],
    value: { label: "CPU time", unit: "ms" },
  });
  const entries = checkChart(svg, "barChart");
  assert.deepEqual(entries, ["caller", "victim", "kthreads"]);
  assert.match(svg, /CPU time \(ms\)/);
});

Deno.test("charts are deterministic text", () => {
  const opts = {
    title: "x",
    x: { label: "a", unit: "ms" },
    y: { label: "b", unit: "MiB" },
    series: [{ label: "s", points: [[0, 0], [1, 2]] as [number, number][] }],
  };
  assert.equal(lineChart(opts), lineChart(opts));
});

Deno.test("every chart in docs/review/ is well-formed SVG with axes, units and a legend", async () => {
  let n = 0;
  for await (const e of Deno.readDir("docs/review")) {
    if (!e.isFile || !e.name.endsWith(".svg")) continue;
    const svg = await Deno.readTextFile(`docs/review/${e.name}`);
    checkChart(svg, e.name);
    n++;
  }
  assert.ok(n >= 5, `docs/review/ has ${n} charts`);
});

/** The design a series of the review's charts stands for: its label, or its label's start. */
function designOf(label: string): string | undefined {
  // A run in another setting ("oom_reaper on 5.15") or of a variant ("name@variant", the 2026
  // options) is its design's line.
  return designs().map((d) => d.name).find((n) =>
    label === n || label.startsWith(`${n} `) || label.startsWith(`${n}@`)
  );
}

Deno.test("the review's charts hide no design, colour designs alike, and title every point", async () => {
  const colorOf = new Map<string, string>();
  const designOfColor = new Map<string, string>();
  let lineCharts = 0;
  for await (const e of Deno.readDir("docs/review")) {
    if (!e.isFile || !e.name.endsWith(".svg")) continue;
    const svg = await Deno.readTextFile(`docs/review/${e.name}`);
    checkTitles(svg, e.name);
    if (!svg.includes('class="chart line-chart"')) continue;
    lineCharts++;
    const lines = checkNothingHidden(svg, e.name);
    // Every registered design is drawn in every line chart of the review.
    for (const d of designs()) {
      assert.ok(lines.some((l) => designOf(l.label) === d.name), `${e.name}: ${d.name} is missing`);
    }
    for (const l of lines) {
      const d = designOf(l.label);
      assert.ok(d, `${e.name}: "${l.label}" is no design's line`);
      assert.equal(colorOf.get(d) ?? l.color, l.color, `${e.name}: ${d} changes colour`);
      assert.equal(designOfColor.get(l.color) ?? d, d, `${e.name}: ${l.color} is two designs`);
      colorOf.set(d, l.color);
      designOfColor.set(l.color, d);
    }
  }
  assert.ok(lineCharts >= 5, `docs/review/ has ${lineCharts} line charts`);
  assert.equal(colorOf.size, designs().length);
});

Deno.test("the XML checker rejects what is not well-formed", () => {
  for (
    const bad of [
      "<svg><g></svg>",
      "<svg a=1></svg>",
      '<svg a="1" a="2"/>',
      "<svg>a & b</svg>",
      "<svg>a < b</svg>",
      "<svg/><svg/>",
      "<svg>&bogus;</svg>",
    ]
  ) {
    assert.throws(() => parseXml(bad), /XML/, bad);
  }
  assert.equal(parseXml('<svg a="&lt;&#65;"><t>x&amp;y</t></svg>').children[0].text, "x&y");
});
