/** A labelled dropdown of column names (one, or several with `multiselect`). */
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
}): ReactElement {
  const { label, multiselect = false, selected } = props;
  return (
    <Field label={label}>
      <Dropdown
        className={props.className}
        aria-label={label}
        multiselect={multiselect}
        placeholder={props.placeholder}
        disabled={props.disabled}
        value={selected.join(", ")}
        selectedOptions={selected}
        onOptionSelect={(_, d) => props.onChange(multiselect ? d.selectedOptions : d.optionValue ? [d.optionValue] : [])}
      >
        {props.options.map((n) => (
          <Option key={n} value={n}>
            {n}
          </Option>
        ))}
      </Dropdown>
    </Field>
  );
}
