/**
 * The repository stands alone: users clone it with nothing beside it, so nothing in it may read the
 * shared folder that developers and CI have beside the checkout (named shared), and CI proves the
 * README's commands on a fresh clone (scripts/check-standalone.sh).
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../", import.meta.url));
const read = (path: string): string => readFileSync(root + path, "utf8");

describe("the repository stands alone", () => {
  it("no code, script or configuration reads the shared folder beside the checkout", () => {
    const files = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" }).split("\n").filter((f) => f !== "" && !/\.(md|R)$/.test(f) && f !== "test/repository.test.ts" && f !== "pnpm-lock.yaml");
    const readers = files.filter((f) => /(^|[^.\w])\.\.\/(\.\.\/)*shared\b/.test(read(f)));
    expect(readers).toEqual([]);
  });

  it("the README's Quick start holds two commands, and CI runs the second and proves the first on a fresh clone", () => {
    const block = /## Quick start[\s\S]*?```sh\n([\s\S]*?)```/.exec(read("README.md"))![1]!;
    const commands = block.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toContain("example");
    const ci = read(".ci/run");
    expect(ci).toContain(commands[1]!);
    expect(ci).toMatch(/^bash scripts\/check-standalone\.sh$/m);
  });

  it("the example builds only the engine and the command", () => {
    const scripts = JSON.parse(read("package.json")).scripts as Record<string, string>;
    expect(scripts.example).toMatch(/^node scripts\/hlm\.mjs /);
    expect(read("scripts/hlm.mjs")).toContain('"packages/cli/scripts/build.mjs"');
  });
});
