import { defineConfig } from "vitepress";

// Nav and sidebar list only pages that exist: VitePress fails the build on dead links (the default).
export default defineConfig({
  title: "HLM",
  description: "Linear mixed models with lme4's numbers, in TypeScript: in Excel, in Node and on the command line",
  cleanUrls: true,
  srcExclude: ["README.md", "generated/**", "test/**", "scripts/**"],
  markdown: { math: true },
  themeConfig: {
    nav: [
      { text: "Guide", link: "/guide/getting-started" },
      { text: "Tutorial", link: "/tutorial/" },
      { text: "For R users", link: "/r-users" },
      { text: "Reference", link: "/reference/" },
    ],
    sidebar: [
      {
        text: "Guide",
        items: [
          { text: "Getting started", link: "/guide/getting-started" },
          { text: "After the fit: tests, intervals, predictions", link: "/guide/inference" },
          { text: "Data in files and databases", link: "/guide/databases" },
          { text: "How it works", link: "/guide/how-it-works" },
          { text: "For R users", link: "/r-users" },
        ],
      },
      {
        text: "Tutorial: the HLM lecture",
        items: [
          { text: "The data", link: "/tutorial/" },
          { text: "1. Per-school regressions", link: "/tutorial/ols" },
          { text: "2. Random intercepts (fit.0)", link: "/tutorial/random-intercepts" },
          { text: "3. Random slopes (fit.1)", link: "/tutorial/random-slopes" },
          { text: "4. Shrinkage", link: "/tutorial/shrinkage" },
          { text: "5. Macro-level effects (fit.2)", link: "/tutorial/macro-effects" },
          { text: "6. Correlated residuals (longitudinal)", link: "/tutorial/longitudinal" },
          { text: "7. Binary and count outcomes (GLMM)", link: "/tutorial/glmm" },
        ],
      },
      {
        text: "Reference",
        items: [
          { text: "Overview", link: "/reference/" },
          { text: "Worksheet functions", link: "/reference/functions" },
          { text: "The hlm command", link: "/reference/cli" },
          { text: "The formula language", link: "/reference/formula" },
          { text: "Library API", link: "/reference/api/" },
        ],
      },
    ],
    outline: { level: [2, 3] },
    search: { provider: "local" },
    footer: { message: "Every number on these pages is computed by @hlm/core when the site is built." },
  },
});
