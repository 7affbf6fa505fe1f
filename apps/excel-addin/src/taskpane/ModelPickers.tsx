/**
 * The pickers that write the formula: response, grouping factor, fixed effects and random slopes, and
 * for a binomial response given as counts or a proportion its second column (failures or trials).
 */
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
  /** The response's label and whether text columns may be one (a binomial's two-level column); default "Response", numeric only. */
  response?: { label: string; anyColumn: boolean };
  /** The response's second column (a binomial's failures or trials), when it takes one. */
  second?: { label: string; selected: string; onChange: (column: string) => void } | null;
}): ReactElement {
  const { pickers, names, disabled, onChange } = props;
  const s = useStyles();
  const second = props.second ?? null;
  return (
    <div className={s.pickers}>
      <ColumnPicker
        label={props.response?.label ?? "Response"}
        className={s.dropdown}
        placeholder="Choose"
        disabled={disabled}
        options={props.response?.anyColumn ? names : props.numeric}
        selected={pickers.response ? [pickers.response] : []}
        onChange={(sel) => onChange({ response: sel[0] ?? "" })}
      />
      {second && (
        <ColumnPicker
          label={second.label}
          className={s.dropdown}
          placeholder="Choose"
          disabled={disabled}
          options={props.numeric.filter((n) => n !== pickers.response)}
          selected={second.selected ? [second.selected] : []}
          onChange={(sel) => second.onChange(sel[0] ?? "")}
        />
      )}
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
