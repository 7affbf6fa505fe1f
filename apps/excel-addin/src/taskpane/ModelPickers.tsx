/** The four pickers that write the formula: response, grouping factor, fixed effects and random slopes. */
import { makeStyles, tokens } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { ColumnPicker } from "./ColumnPicker.js";
import type { Pickers } from "./formulaBuilder.js";

const useStyles = makeStyles({
  pickers: { display: "grid", gridTemplateColumns: "1fr 1fr", columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalS },
  dropdown: { minWidth: "0", width: "100%" },
});

export function ModelPickers(props: {
  pickers: Pickers;
  /** All columns, and the numeric ones (a response is numeric). */
  names: string[];
  numeric: string[];
  disabled: boolean;
  onChange: (pickers: Partial<Pickers>) => void;
}): ReactElement {
  const { pickers, names, disabled, onChange } = props;
  const s = useStyles();
  return (
    <div className={s.pickers}>
      <ColumnPicker
        label="Response"
        className={s.dropdown}
        placeholder="Choose"
        disabled={disabled}
        options={props.numeric}
        selected={pickers.response ? [pickers.response] : []}
        onChange={(sel) => onChange({ response: sel[0] ?? "" })}
      />
      <ColumnPicker
        label="Grouping factor"
        className={s.dropdown}
        placeholder="Choose"
        disabled={disabled}
        options={names.filter((n) => n !== pickers.response)}
        selected={pickers.group ? [pickers.group] : []}
        onChange={(sel) => onChange({ group: sel[0] ?? "" })}
      />
      <ColumnPicker
        label="Fixed effects"
        className={s.dropdown}
        placeholder="Intercept only"
        multiselect
        disabled={disabled}
        options={names.filter((n) => n !== pickers.response && n !== pickers.group)}
        selected={pickers.fixed}
        onChange={(sel) => onChange({ fixed: sel })}
      />
      <ColumnPicker
        label="Random slopes"
        className={s.dropdown}
        placeholder="Intercept only"
        multiselect
        disabled={disabled || !pickers.group}
        options={names.filter((n) => n !== pickers.response && n !== pickers.group)}
        selected={pickers.slopes}
        onChange={(sel) => onChange({ slopes: sel })}
      />
    </div>
  );
}
