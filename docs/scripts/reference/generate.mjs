// Writes the generated reference pages: docs/reference/functions.md, cli.md and api/.
// Needs @hlm/excel-addin and @hlm/cli built (turbo run build does it before the docs).
import { rmSync } from "node:fs";
import { renderFunctionsPage, pagePath as functionsPage } from "./functions.mjs";
import { renderCliPage, pagePath as cliPage } from "./cli.mjs";
import { apiDir, generateApi } from "./api.mjs";
import { writePage } from "./common.mjs";

const [functions, cli] = await Promise.all([renderFunctionsPage(), renderCliPage()]);
writePage(functionsPage, functions);
writePage(cliPage, cli);
rmSync(apiDir, { recursive: true, force: true });
const api = await generateApi();
console.log(`reference: wrote functions.md, cli.md and ${api.length} API pages`);
