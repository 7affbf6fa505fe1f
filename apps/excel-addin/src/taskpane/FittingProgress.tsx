/** Where a fit is: its stage, the number of evaluations, the objective and the best so far; then the writing of its sheets. */
import { Body1, Caption1 } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { formatNumber } from "./formatNumber.js";
import { ProgressPanel } from "./ProgressPanel.js";
import type { FitPhase, Method } from "./state.js";
import { usePaneStyles } from "./usePaneStyles.js";

export function FittingProgress(props: { fit: Extract<FitPhase, { phase: "fitting" | "cancelling" | "writing" }>; method: Method }): ReactElement {
  const f = props.fit;
  const p = usePaneStyles();
  return (
    <ProgressPanel testId="progress" writing={f.phase === "writing" ? "Writing the result sheets…" : null}>
      {f.phase !== "writing" && (
        <>
          <Body1>
            {f.phase === "cancelling"
              ? "Cancelling…"
              : f.stage === "optimizing"
                ? "Optimizing the likelihood…"
                : f.stage === "finishing"
                  ? "Computing standard errors and tables…"
                  : "Building the model…"}
          </Body1>
          <div className={p.stats}>
            <Caption1 className={p.muted}>Evaluations</Caption1>
            <Caption1 className={p.statValue} data-testid="progress-evaluations">
              {f.evaluations}
            </Caption1>
            <Caption1 className={p.muted}>{props.method === "REML" ? "REML criterion" : "Deviance"}</Caption1>
            <Caption1 className={p.statValue} data-testid="progress-objective">
              {formatNumber(f.objective)}
            </Caption1>
            <Caption1 className={p.muted}>Best so far</Caption1>
            <Caption1 className={p.statValue}>{formatNumber(f.bestObjective)}</Caption1>
          </div>
        </>
      )}
    </ProgressPanel>
  );
}
