// The review's charts are SVG documents that render: well-formed XML with an <svg> root in
// the SVG namespace, both axes with ticks and a label carrying the unit, and a legend with
// an entry per series. Checked on charts made here and on every chart in docs/review/.

import assert from "node:assert/strict";
import { barChart, lineChart } from "../src/lab/report/svg.ts";

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
  // Overlapping series share one legend entry.
  assert.deepEqual(entries, ["sigkill, same as sigkill", "process_mrelease"]);
  assert.match(svg, /size \(MiB, log scale\)/);
  assert.match(svg, /t90 \(ms\)/);
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
