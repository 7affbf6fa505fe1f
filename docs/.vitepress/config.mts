import { defineConfig } from "vitepress";

// Nav and sidebar list only pages that exist: VitePress fails the build on dead links.
export default defineConfig({
  title: "HLM",
  description: "Linear mixed models with lme4's numbers, in TypeScript: Excel, Node and the command line",
  cleanUrls: true,
  srcExclude: ["README.md", "generated/**", "test/**", "scripts/**"],
  markdown: { math: true },
  themeConfig: {
    nav: [{ text: "Home", link: "/" }],
    sidebar: [],
    socialLinks: [],
  },
});
