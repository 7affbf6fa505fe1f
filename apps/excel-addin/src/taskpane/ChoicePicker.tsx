/**
 * A labelled dropdown of fixed choices (the family, its link, the residuals' correlation and
 * variances): each choice's long label in the list, its short one in the closed dropdown.
 */
import { Dropdown, Field, Option } from "@fluentui/react-components";
import type { ReactElement } from "react";

/** A choice of a `ChoicePicker`: its value, its label in the list and its text in the closed dropdown. */
export interface PickerChoice<T extends string> {
  value: T;
  label: string;
  short: string;
}

export function ChoicePicker<T extends string>(props: {
  label: string;
  fieldClassName?: string | undefined;
  className: string;
  buttonClassName: string;
  listboxClassName: string;
  disabled: boolean;
  value: T;
  choices: readonly PickerChoice<T>[];
  onChange: (value: T) => void;
}): ReactElement {
  const current = props.choices.find((c) => c.value === props.value);
  return (
    <Field label={props.label} className={props.fieldClassName}>
      <Dropdown
        className={props.className}
        button={{ className: props.buttonClassName }}
        listbox={{ className: props.listboxClassName }}
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
