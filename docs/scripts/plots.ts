// Plots as bare SVG files: Observable Plot rendered with linkedom's document, in the site's colours.
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";

const { document } = parseHTML("<!doctype html><html><head></head><body></body></html>");

export function svg(options: Plot.PlotOptions): string {
  const el = Plot.plot({
    marginBottom: 44,
    inset: 6,
    ...options,
    x: { labelAnchor: "center", labelOffset: 38, labelArrow: "none", ...options.x },
    document: document as unknown as Document,
    style: { background: "white", color: "#1f2328", fontSize: "12px", fontFamily: "system-ui, -apple-system, 'Segoe UI', sans-serif", overflow: "visible" },
  }) as unknown as { outerHTML: string };
  let s = el.outerHTML;
  if (!s.startsWith("<svg")) throw new Error("a plot must be a bare SVG (no title, caption or legend)");
  if (!/^<svg[^>]*xmlns=/.test(s)) s = s.replace(/^<svg/, '<svg xmlns="http://www.w3.org/2000/svg"');
  return s + "\n";
}

export const BLUE = "#3b6fb6";
export const ORANGE = "#d9822b";

/** A legend drawn inside the plot (Plot's own legends make an HTML figure, not an SVG file). */
export function legend(items: readonly (readonly [string, string])[]): Plot.Markish[] {
  return items.flatMap(([label, color], i) => [
    Plot.dot([label], { frameAnchor: "top-right", dx: -10, dy: 10 + 18 * i, r: 4, fill: color, stroke: "white" }),
    Plot.text([label], { text: (d: string) => d, frameAnchor: "top-right", dx: -20, dy: 10 + 18 * i, textAnchor: "end", fontSize: 12, fill: "#1f2328", stroke: "white", strokeWidth: 3, paintOrder: "stroke" }),
  ]);
}
