/** A checkbox per column of the range: numeric columns to treat as categorical (text columns always are). */
import { Caption1, Checkbox, Label, makeStyles, tokens } from "@fluentui/react-components";
import type { ReactElement } from "react";
import type { ColumnInfo } from "./state.js";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
  checks: { display: "grid", gridTemplateColumns: "1fr 1fr", columnGap: tokens.spacingHorizontalS },
});

export function CategoricalColumns(props: { columns: ColumnInfo[]; categorical: string[]; busy: boolean; onToggle: (column: string, checked: boolean) => void }): ReactElement {
  const s = useStyles();
  const p = usePaneStyles();
  return (
    <div>
      <Label>Categorical columns</Label>
      <div className={s.checks} data-testid="categorical">
        {props.columns.map((c) => (
          <Checkbox
            key={c.name}
            label={c.name}
            checked={props.categorical.includes(c.name)}
            disabled={props.busy || c.kind === "string"}
            onChange={(_, d) => props.onToggle(c.name, d.checked === true)}
          />
        ))}
      </div>
      <Caption1 className={p.muted}>Text columns are always categorical.</Caption1>
    </div>
  );
}
