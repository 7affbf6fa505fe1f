/**
 * The HLM task pane: the title bar, step 1 the data (`DataSection`), step 2 the model
 * (`ModelSection`), step 3 the residuals (`ResidualsSection`: nlme's correlation structure and
 * variance function, the t-tests' df), and at the foot Fit, Compare and Cancel with the progress and results
 * (`FitBar`). Its state and actions (Excel calls, the fitting worker) are in `usePane.ts`.
 */
import { makeStyles, tokens } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { DataSection } from "./DataSection.js";
import { FitBar } from "./FitBar.js";
import { ModelSection } from "./ModelSection.js";
import { PaneHeader } from "./PaneHeader.js";
import { ResidualsSection } from "./ResidualsSection.js";
import { usePane } from "./usePane.js";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    height: "100vh",
    boxSizing: "border-box",
    backgroundColor: tokens.colorNeutralBackground2,
  },
  body: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalM,
    flexGrow: 1,
    overflowY: "auto",
  },
});

export function App(): ReactElement {
  const s = useStyles();
  const pane = usePane();
  const { state } = pane;
  return (
    <div className={s.root}>
      <PaneHeader />
      <main className={s.body}>
        <DataSection range={state.range} rangeError={state.rangeError} columns={pane.columns} busy={pane.busy} onLoad={(which) => void pane.loadRange(which)} />
        <ModelSection {...pane} />
        <ResidualsSection {...pane} />
      </main>
      <FitBar {...pane} />
    </div>
  );
}
