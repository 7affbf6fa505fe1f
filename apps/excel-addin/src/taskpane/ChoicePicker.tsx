/**
 * A labelled dropdown of fixed choices (the family, its link, the residuals' correlation and
 * variances): each choice's long label in the list, its short one in the closed dropdown.
 */
import { Dropdown, Field, makeStyles, Option } from "@fluentui/react-components";
import type { ReactElement } from "react";

/** A choice of a `ChoicePicker`: its value, its label in the list and its text in the closed dropdown. */
export interface PickerChoice<T extends string> {
  value: T;
  label: string;
  short: string;
}

const useStyles = makeStyles({
  dropdown: { minWidth: "0", width: "100%" },
  /** The closed dropdown's text on one line (cut with an ellipsis rather than wrapped). */
  oneLine: { whiteSpace: "nowrap", overflow: "hidden", textOverflow: "ellipsis" },
  /** The list of choices as wide as its longest (the closed dropdown may be half the card). */
  listbox: { minWidth: "200px", maxWidth: "300px" },
});

/** `fieldClassName` places the field in its card's grid (the card's width, or half of it). */
export function ChoicePicker<T extends string>(props: {
  label: string;
  fieldClassName?: string | undefined;
  disabled: boolean;
  value: T;
  choices: readonly PickerChoice<T>[];
  onChange: (value: T) => void;
}): ReactElement {
  const s = useStyles();
  const current = props.choices.find((c) => c.value === props.value);
  return (
    <Field label={props.label} className={props.fieldClassName}>
      <Dropdown
        className={s.dropdown}
        button={{ className: s.oneLine }}
        listbox={{ className: s.listbox }}
        positioning={{ matchTargetSize: undefined }}
        aria-label={props.label}
        disabled={props.disabled}
        value={current?.short ?? ""}
        selectedOptions={[props.value]}
        onOptionSelect={(_, d) => d.optionValue && props.onChange(d.optionValue as T)}
      >
        {props.choices.map((c) => (
          <Option key={c.value} value={c.value} text={c.short}>
            {c.label}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}
