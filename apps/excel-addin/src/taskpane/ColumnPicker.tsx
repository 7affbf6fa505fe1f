/** A labelled dropdown of column names (one, or several with `multiselect`; with `noneLabel`, a first choice that picks no column). */
import { Dropdown, Field, Option } from "@fluentui/react-components";
import type { ReactElement } from "react";

export function ColumnPicker(props: {
  label: string;
  className: string;
  placeholder: string;
  multiselect?: boolean;
  disabled: boolean;
  options: string[];
  selected: string[];
  onChange: (selected: string[]) => void;
  /** A first option that stands for no column (its value ""), shown when nothing is selected: "Row order". */
  noneLabel?: string;
  /** Shown under the dropdown as an error. */
  error?: string | undefined;
}): ReactElement {
  const { label, multiselect = false, selected, noneLabel } = props;
  const none = noneLabel !== undefined && selected.length === 0;
  return (
    <Field label={label} {...(props.error !== undefined ? { validationState: "error" as const, validationMessage: props.error } : {})}>
      <Dropdown
        className={props.className}
        aria-label={label}
        multiselect={multiselect}
        placeholder={props.placeholder}
        disabled={props.disabled}
        value={none ? noneLabel : selected.join(", ")}
        selectedOptions={none ? [""] : selected}
        onOptionSelect={(_, d) => props.onChange(multiselect ? d.selectedOptions : d.optionValue ? [d.optionValue] : [])}
      >
        {noneLabel !== undefined && (
          <Option key="" value="" text={noneLabel}>
            {noneLabel}
          </Option>
        )}
        {props.options.map((n) => (
          <Option key={n} value={n}>
            {n}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}
