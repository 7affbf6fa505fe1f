/**
 * Entry of the task pane bundle: renders the pane in Fluent UI's Office (web light) theme once
 * Office.js is ready; when Office.js is not there (the page opened outside Office, the CDN
 * unreachable, or the end-to-end test's fake), it starts anyway.
 */
import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./App.js";

let started = false;
function start(): void {
  if (started) return;
  started = true;
  const root = document.getElementById("root");
  if (!root) return;
  createRoot(root).render(
    <StrictMode>
      <FluentProvider theme={webLightTheme} style={{ minHeight: "100vh" }}>
        <App />
      </FluentProvider>
    </StrictMode>,
  );
}

interface OfficeLike {
  onReady?: (callback?: () => void) => Promise<unknown>;
}
const office = (globalThis as { Office?: OfficeLike }).Office;
if (office && typeof office.onReady === "function") {
  void office.onReady(() => start());
  setTimeout(start, 10_000); // Office.js loaded, but no host ever says ready
} else {
  start();
}
