/** A comparison's result in the pane: the generalized models' family, each model's likelihood-ratio test against the one above it, lme4's note, and the sheet it created. */
import type { ReactElement } from "react";
import { describeFamily } from "./familyBuilder.js";
import { formatElapsed, formatNumber, formatPValue } from "./formatNumber.js";
import type { FitPhase } from "./state.js";
import { StatusMessage } from "./StatusMessage.js";
import { usePaneStyles } from "./usePaneStyles.js";

export function ComparisonSummary(props: { fit: Extract<FitPhase, { phase: "compared" }> }): ReactElement {
  const f = props.fit;
  const p = usePaneStyles();
  return (
    <StatusMessage intent="success" multiline testId="comparison" title="Compared">
      {f.rows.length} models, {formatElapsed(f.elapsedMs)}.
      {f.family && <div data-testid="comparison-family">{describeFamily(f.family)}.</div>}
      <ul className={p.sheetList} data-testid="comparison-tests">
        {f.rows.slice(1).map((r, i) => (
          <li key={r.name}>
            {r.name} vs {f.rows[i]!.name}: χ²({r.Df ?? "–"}) = {formatNumber(r.Chisq, 2)}, p = {formatPValue(r.pValue)}
          </li>
        ))}
      </ul>
      {f.note && <div>Note: {f.note}.</div>}
      <div>
        Created the sheet{f.sheetNames.length === 1 ? "" : "s"} <span data-testid="comparison-sheet">{f.sheetNames.join(", ")}</span>.
      </div>
    </StatusMessage>
  );
}
