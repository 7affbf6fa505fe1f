/** A fit's result in the pane: the family of a generalized model, observations, evaluations, time, the sheets it created, the residual structure's estimates and lme4's warnings (the sheets carry the rest). */
import { Text } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { describeFamily } from "./familyBuilder.js";
import { formatElapsed, formatNumber } from "./formatNumber.js";
import { formatStructure } from "./residualBuilder.js";
import type { FitPhase } from "./state.js";
import { StatusMessage } from "./StatusMessage.js";
import { usePaneStyles } from "./usePaneStyles.js";

export function FitSummary(props: { fit: Extract<FitPhase, { phase: "done" }> }): ReactElement {
  const f = props.fit;
  const p = usePaneStyles();
  return (
    <StatusMessage intent="success" multiline testId="result" title={f.digest.family ? "Fitted: generalized linear mixed model" : "Fitted"}>
      {f.digest.family && (
        <Text as="p" block className={p.structure} data-testid="result-family">
          {describeFamily(f.digest.family)}; log-likelihood {formatNumber(f.digest.logLik, 2)}.
        </Text>
      )}
      {f.digest.nobs.toLocaleString()} observations, {f.digest.evaluations} evaluations,{" "}
      {formatElapsed(f.elapsedMs)}. Created the sheets:
      <ul className={p.sheetList} data-testid="sheet-names">
        {f.sheetNames.map((n) => (
          <li key={n}>{n}</li>
        ))}
      </ul>
      {f.digest.structure.length > 0 && (
        <Text as="p" block className={p.structure} data-testid="result-structure">
          {f.digest.structure.map((s) => formatStructure(s)).join("; ")}
        </Text>
      )}
      {f.digest.warnings.length > 0 && <Text>Warnings: {f.digest.warnings.join(" ")}</Text>}
    </StatusMessage>
  );
}
