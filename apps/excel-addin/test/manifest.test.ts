/**
 * The add-in manifest (manifest.xml), checked offline: `office-addin-manifest validate` sends the
 * manifest to Microsoft's validation service, which the build and the tests cannot reach. So it is
 * parsed here (fast-xml-parser, and office-addin-manifest's own reader) and its key elements are
 * checked: a shared runtime, the HLM custom functions namespace, the ribbon button that opens the
 * task pane, the permissions, and that every resource id it uses is defined and every icon exists.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { OfficeAddinManifest } from "office-addin-manifest";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));
const path = `${root}manifest.xml`;
const xml = readFileSync(path, "utf8");

type Node = Record<string, unknown>;
const ARRAYS = new Set(["bt:Image", "bt:Url", "bt:String", "Control", "Group", "ExtensionPoint", "Set", "Host", "Runtime", "OfficeTab"]);
const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "@", isArray: (name) => ARRAYS.has(name) }).parse(xml) as Node;

const at = (n: unknown, ...keys: (string | number)[]): Node => {
  let cur: unknown = n;
  for (const k of keys) {
    expect(cur, `missing ${String(k)} in ${keys.join("/")}`).toBeTypeOf("object");
    cur = (cur as Record<string | number, unknown>)[k];
  }
  expect(cur, `missing ${keys.join("/")}`).toBeDefined();
  return cur as Node;
};

const app = at(doc, "OfficeApp");
const overrides = at(app, "VersionOverrides");
const host = at(overrides, "Hosts", "Host", 0);
const resources = at(overrides, "Resources");

/** Resource id → DefaultValue, over images, URLs and strings. */
const resource = new Map<string, string>();
for (const [group, item] of [
  ["bt:Images", "bt:Image"],
  ["bt:Urls", "bt:Url"],
  ["bt:ShortStrings", "bt:String"],
  ["bt:LongStrings", "bt:String"],
] as const) {
  for (const r of at(resources, group, item) as unknown as Node[]) resource.set(String(r["@id"]), String(r["@DefaultValue"]));
}
const resolve = (n: Node): string => {
  const id = String(n["@resid"]);
  expect(resource.has(id), `resource ${id}`).toBe(true);
  return resource.get(id)!;
};

describe("manifest.xml", () => {
  it("is well-formed XML that office-addin-manifest reads as an Excel task pane add-in", async () => {
    expect(XMLValidator.validate(xml)).toBe(true);
    const info = await OfficeAddinManifest.readManifestFile(path);
    expect(info.officeAppType).toBe("TaskPaneApp");
    expect(info.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(info.hosts).toEqual(["Workbook"]);
    expect(info.permissions).toBe("ReadWriteDocument");
    expect(info.version).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(info.defaultSettings?.sourceLocation).toBe("https://localhost:3000/taskpane.html");
  });

  it("asks for a shared runtime that lives as long as the workbook is open", () => {
    expect(app["@xsi:type"]).toBe("TaskPaneApp");
    expect(at(app, "Requirements", "Sets", "Set", 0)).toMatchObject({ "@Name": "SharedRuntime", "@MinVersion": "1.1" });
    expect(overrides["@xsi:type"]).toBe("VersionOverridesV1_0");
    expect(host["@xsi:type"]).toBe("Workbook");
    const runtimes = at(host, "Runtimes", "Runtime") as unknown as Node[];
    expect(runtimes).toHaveLength(1);
    expect(runtimes[0]!["@lifetime"]).toBe("long");
    expect(resolve(runtimes[0]!)).toBe("https://localhost:3000/taskpane.html");
    expect(resolve(at(host, "DesktopFormFactor", "FunctionFile"))).toBe("https://localhost:3000/taskpane.html");
  });

  it("declares the custom functions in namespace HLM, run in the shared runtime's page", () => {
    const points = at(host, "AllFormFactors", "ExtensionPoint") as unknown as Node[];
    const cf = points.find((p) => p["@xsi:type"] === "CustomFunctions")!;
    expect(cf).toBeDefined();
    expect(resolve(at(cf, "Script", "SourceLocation"))).toBe("https://localhost:3000/functions.js");
    expect(resolve(at(cf, "Page", "SourceLocation"))).toBe("https://localhost:3000/taskpane.html");
    expect(resolve(at(cf, "Metadata", "SourceLocation"))).toBe("https://localhost:3000/functions.json");
    expect(resolve(at(cf, "Namespace"))).toBe("HLM");
  });

  it("puts an HLM group on the Home tab with a button that opens the task pane", () => {
    const surface = (at(host, "DesktopFormFactor", "ExtensionPoint") as unknown as Node[]).find((p) => p["@xsi:type"] === "PrimaryCommandSurface")!;
    const tab = at(surface, "OfficeTab", 0);
    expect(tab["@id"]).toBe("TabHome");
    const group = at(tab, "Group", 0);
    expect(resolve(at(group, "Label"))).toBe("HLM");
    const button = at(group, "Control", 0);
    expect(button["@xsi:type"]).toBe("Button");
    const action = at(button, "Action");
    expect(action["@xsi:type"]).toBe("ShowTaskpane");
    expect(resolve(at(action, "SourceLocation"))).toBe("https://localhost:3000/taskpane.html");
    expect(resolve(at(button, "Label"))).toBeTruthy();
    expect(resolve(at(button, "Supertip", "Description"))).toBeTruthy();
  });

  it("defines every resource it uses, and every icon it names is in assets/", () => {
    const used = [...xml.matchAll(/resid="([^"]+)"/g)].map((m) => m[1]!);
    for (const id of used) expect(resource.has(id), `resource ${id}`).toBe(true);
    const icons = [...xml.matchAll(/https:\/\/localhost:3000\/(assets\/[^"]+\.png)/g)].map((m) => m[1]!);
    expect(icons.length).toBeGreaterThanOrEqual(4);
    for (const icon of icons) expect(existsSync(`${root}${icon}`), icon).toBe(true);
    for (const size of [16, 32, 80]) expect(resource.get(`Icon.${size}x${size}`)).toBe(`https://localhost:3000/assets/icon-${size}.png`);
  });
});

describe("assets", () => {
  it("has the icons as PNG files of their sizes", () => {
    for (const size of [16, 32, 64, 80, 128]) {
      const png = readFileSync(`${root}assets/icon-${size}.png`);
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
      expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([size, size]);
    }
  });
});
