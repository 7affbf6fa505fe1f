/** What the foot of the pane says under its buttons, by where the fit or comparison is: a hint, the progress, the result, or why it stopped. */
import { Caption1 } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { ComparingProgress } from "./ComparingProgress.js";
import { ComparisonSummary } from "./ComparisonSummary.js";
import { FitSummary } from "./FitSummary.js";
import { FittingProgress } from "./FittingProgress.js";
import type { FitPhase, Method } from "./state.js";
import { StatusMessage } from "./StatusMessage.js";
import { usePaneStyles } from "./usePaneStyles.js";

export function FitStatus(props: { fit: FitPhase; method: Method; hasRange: boolean }): ReactElement | null {
  const f = props.fit;
  const p = usePaneStyles();
  switch (f.phase) {
    case "idle":
      return <Caption1 className={p.muted}>{props.hasRange ? "Results go to new sheets; your data is never overwritten." : "Choose the data first."}</Caption1>;
    case "fitting":
    case "cancelling":
    case "writing":
      return <FittingProgress fit={f} method={props.method} />;
    case "comparing":
    case "compareWriting":
      return <ComparingProgress fit={f} />;
    case "compared":
      return <ComparisonSummary fit={f} />;
    case "done":
      return <FitSummary fit={f} />;
    case "cancelled":
      return (
        <StatusMessage intent="warning" testId="cancelled" title="Fit cancelled">
          Stopped after {f.evaluations} evaluations; no sheet was written.
        </StatusMessage>
      );
    case "error":
      return (
        <StatusMessage intent="error" multiline testId="fit-error">
          {f.message}
        </StatusMessage>
      );
    case "reading":
      return null;
  }
}
