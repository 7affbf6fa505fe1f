#!/usr/bin/env bash
# A clone from anywhere, as a user has it (run by .ci/run):
#  1. clones this repository into an empty folder, with nothing beside it, and runs the README's
#     Quick start first command there: it must print the summary of the lecture's model;
#  2. packs the CLI, installs it with npm into an empty prefix, and runs that `hlm` from a folder
#     outside the checkout: a fit of nels_sim.csv, its workbook, its help;
#  3. packs @hlm/core, installs it into an empty project, type-checks a use of it and fits.
# Needs git, Node and npm (and the npm registry, for pnpm and for @hlm/core's dependencies).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pnpm="npx --yes pnpm@10.34.9"

fail() {
  echo "check-standalone: $1" >&2
  shift
  for f in "$@"; do echo "--- $f" >&2; cat "$f" >&2; done
  exit 1
}

# 1. the Quick start, in a fresh clone with nothing beside it
git clone -q "$repo" "$work/clone/hlm"
first=$(awk '/^## Quick start/{q=1; next} q && /^```/{if (f) exit; f=1; next} q && f && NF && $1 !~ /^#/' "$repo/README.md" | sed -n 1p)
[ -n "$first" ] || fail "no Quick start command in README.md"
echo "check-standalone: in a fresh clone: $first"
(cd "$work/clone/hlm" && bash -c "$first") > "$work/example.out" 2> "$work/example.err" || fail "the Quick start's first command failed" "$work/example.err"
grep -q "^Linear mixed model fit by maximum likelihood" "$work/example.out" || fail "the example printed no ML summary" "$work/example.out"
grep -qF "Formula: score ~ flp * ses + (ses | school)" "$work/example.out" || fail "the example printed another model" "$work/example.out"
grep -q "^Number of obs: 12974, groups:  school, 684$" "$work/example.out" || fail "the example fitted other data" "$work/example.out"
[ ! -e "$work/clone/shared" ] || fail "something was written beside the clone"
if grep -q "Failed to create bin" "$work/example.out" "$work/example.err"; then fail "pnpm install could not link a bin" "$work/example.out"; fi
echo "check-standalone: the Quick start printed the lecture model's summary"

# 2. the packed CLI, installed with npm into an empty prefix, run from elsewhere
(cd "$work/clone/hlm" && $pnpm --filter @hlm/cli pack --pack-destination "$work/pkg" > /dev/null)
tarball=$(ls "$work"/pkg/hlm-cli-*.tgz)
if tar -xzOf "$tarball" package/package.json | grep -q "workspace:"; then fail "the CLI's package.json still has workspace: links"; fi
npm install -g --prefix "$work/prefix" --no-audit --no-fund "$tarball" > "$work/npm.log" 2>&1 || fail "npm install -g of the packed CLI failed" "$work/npm.log"
mkdir -p "$work/elsewhere"
cp "$work/clone/hlm/examples/nels_sim.csv" "$work/elsewhere/"
hlm="$work/prefix/bin/hlm"
(cd "$work/elsewhere" && "$hlm" fit nels_sim.csv --formula "score ~ ses + (ses | school)" --ml --xlsx fit1.xlsx) > "$work/fit.out" 2> "$work/fit.err" || fail "the installed hlm could not fit" "$work/fit.err"
grep -qF "Formula: score ~ ses + (ses | school)" "$work/fit.out" || fail "the installed hlm printed no summary" "$work/fit.out"
grep -qF "hlm: wrote fit1.xlsx (sheets HLM Summary, HLM Random Effects, HLM Shrinkage)" "$work/fit.err" || fail "the installed hlm wrote no workbook" "$work/fit.err"
[ "$(head -c 2 "$work/elsewhere/fit1.xlsx")" = "PK" ] || fail "fit1.xlsx is not a workbook"
(cd "$work/elsewhere" && "$hlm" fit --help) | grep -q "^Usage: hlm fit" || fail "hlm fit --help"
echo "check-standalone: the packed CLI installs with npm alone and fits from another folder"

# 3. the packed engine, in an empty project
(cd "$work/clone/hlm" && $pnpm --filter @hlm/core pack --pack-destination "$work/pkg" > /dev/null)
core=$(ls "$work"/pkg/hlm-core-*.tgz)
if tar -tzf "$core" | grep -q "\.test\."; then fail "the packed @hlm/core holds tests"; fi
mkdir -p "$work/app"
cd "$work/app"
npm init -y > /dev/null
npm pkg set type=module
npm install --no-audit --no-fund "$core" typescript@~5.9.3 @types/node@^20 > "$work/npm-core.log" 2>&1 || fail "npm install of the packed @hlm/core failed" "$work/npm-core.log"
cat > app.ts <<'TS'
import { readFileSync } from "node:fs";
import { fit, formatSummary, readCsv, type LmmFit } from "@hlm/core";
const m: LmmFit = fit(readCsv(readFileSync(process.argv[2]!, "utf8")), "score ~ ses + (ses | school)", { REML: false });
console.log(formatSummary(m).split("\n")[1]);
console.log(m.fixefNames.join(" "));
TS
npx tsc --noEmit --strict --module nodenext --moduleResolution nodenext --target es2022 --types node app.ts > "$work/tsc.log" 2>&1 || fail "the packed @hlm/core's types do not check" "$work/tsc.log"
npx tsc --module nodenext --moduleResolution nodenext --target es2022 --types node app.ts > /dev/null
node app.js "$work/elsewhere/nels_sim.csv" > "$work/app.out" 2>&1 || fail "a fit with the packed @hlm/core failed" "$work/app.out"
[ "$(cat "$work/app.out")" = "$(printf 'Formula: score ~ ses + (ses | school)\n(Intercept) ses')" ] || fail "the packed @hlm/core printed something else" "$work/app.out"
echo "check-standalone: the packed @hlm/core installs into an empty project, type-checks and fits"
