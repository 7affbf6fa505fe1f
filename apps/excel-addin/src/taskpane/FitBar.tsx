/** The foot of the pane: Fit model, Compare models (once there are models to compare with) and Cancel, and under them the status. */
import { Button, makeStyles, tokens } from "@fluentui/react-components";
import { DismissRegular, PlayRegular, TableSimpleRegular } from "@fluentui/react-icons";
import type { ReactElement } from "react";
import { FitStatus } from "./FitStatus.js";
import type { Pane } from "./usePane.js";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
  actions: {
    flexShrink: 0,
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    boxShadow: tokens.shadow8,
    maxHeight: "45vh",
    overflowY: "auto",
  },
  fitRow: { display: "flex", columnGap: tokens.spacingHorizontalS },
});

export function FitBar(props: Pick<Pane, "state" | "glmm" | "busy" | "fitDisabled" | "compareReady" | "fit" | "compare" | "cancel">): ReactElement {
  const { state, busy } = props;
  const f = state.fit;
  const s = useStyles();
  const p = usePaneStyles();
  return (
    <section className={s.actions} aria-label="Fit">
      <div className={s.fitRow}>
        <Button appearance="primary" icon={<PlayRegular />} className={p.grow} disabled={props.fitDisabled} onClick={() => props.fit()}>
          Fit model
        </Button>
        {state.models.length > 0 && (
          <Button icon={<TableSimpleRegular />} className={p.grow} disabled={busy || !props.compareReady} onClick={() => props.compare()}>
            Compare models
          </Button>
        )}
        {(f.phase === "fitting" || f.phase === "cancelling" || f.phase === "comparing") && (
          <Button icon={<DismissRegular />} onClick={() => props.cancel()} disabled={f.phase === "cancelling" || (f.phase === "comparing" && f.cancelling)}>
            Cancel
          </Button>
        )}
      </div>
      <FitStatus fit={f} method={props.glmm.active ? "ML" : state.method} hasRange={!!state.range} />
    </section>
  );
}
