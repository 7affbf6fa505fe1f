/** Where a comparison is: the model being fitted by maximum likelihood and its evaluations; then the writing of its sheet. */
import { Body1, Caption1 } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { ProgressPanel } from "./ProgressPanel.js";
import type { FitPhase } from "./state.js";
import { usePaneStyles } from "./usePaneStyles.js";

export function ComparingProgress(props: { fit: Extract<FitPhase, { phase: "comparing" | "compareWriting" }> }): ReactElement {
  const f = props.fit;
  const p = usePaneStyles();
  return (
    <ProgressPanel testId="compare-progress" writing={f.phase === "compareWriting" ? "Writing the comparison sheet…" : null}>
      {f.phase === "comparing" && (
        <>
          <Body1>{f.cancelling ? "Cancelling…" : `Fitting model m${f.model} (${f.model + 1} of ${f.models}) by maximum likelihood…`}</Body1>
          <div className={p.stats}>
            <Caption1 className={p.muted}>Evaluations</Caption1>
            <Caption1 className={p.statValue}>{f.evaluations}</Caption1>
          </div>
        </>
      )}
    </ProgressPanel>
  );
}
