// Generates the numbers and plots the pages include (placeholder until the generator lands).
import { mkdirSync } from "node:fs";
mkdirSync(new URL("../generated/", import.meta.url), { recursive: true });
