/**
 * Step 2 of the pane, the model: the pickers, the formula, the models to compare with, REML or ML,
 * the diagnostics sheet, and the categorical columns.
 */
import { Checkbox, Field, Radio, RadioGroup } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { CategoricalColumns } from "./CategoricalColumns.js";
import { CompareModels } from "./CompareModels.js";
import { FormulaField } from "./FormulaField.js";
import { ModelPickers } from "./ModelPickers.js";
import { SectionTitle } from "./SectionTitle.js";
import type { Pane } from "./usePane.js";
import { usePaneStyles } from "./usePaneStyles.js";

export function ModelSection(props: Pick<Pane, "state" | "dispatch" | "columns" | "names" | "numeric" | "check" | "modelChecks" | "busy">): ReactElement {
  const { state, dispatch, busy } = props;
  const p = usePaneStyles();
  return (
    <section className={p.card} aria-label="Model">
      <SectionTitle step={2}>Model</SectionTitle>
      <ModelPickers
        pickers={state.pickers}
        names={props.names}
        numeric={props.numeric}
        disabled={!state.range || busy}
        onChange={(pickers) => dispatch({ type: "pickersChanged", pickers })}
      />
      <FormulaField formula={state.formula} check={props.check} hasRange={!!state.range} disabled={busy} onEdit={(text) => dispatch({ type: "formulaEdited", text })} />
      <CompareModels
        models={state.models}
        checks={props.modelChecks}
        busy={busy}
        hasRange={!!state.range}
        onEdit={(index, text) => dispatch({ type: "modelEdited", index, text })}
        onRemove={(index) => dispatch({ type: "modelRemoved", index })}
        onAdd={() => dispatch({ type: "modelAdded" })}
      />
      <Field label="Estimation">
        <RadioGroup
          layout="horizontal"
          value={state.method}
          disabled={busy}
          onChange={(_, d) => dispatch({ type: "methodChanged", method: d.value === "ML" ? "ML" : "REML" })}
        >
          <Radio value="REML" label="REML" />
          <Radio value="ML" label="Maximum likelihood" />
        </RadioGroup>
      </Field>
      <Checkbox
        label="Diagnostics sheet: residual and normal QQ plots"
        checked={state.diagnostics}
        disabled={busy}
        onChange={(_, d) => dispatch({ type: "diagnosticsToggled", checked: d.checked === true })}
      />
      {state.range && (
        <CategoricalColumns
          columns={props.columns}
          categorical={state.categorical}
          busy={busy}
          onToggle={(column, checked) => dispatch({ type: "categoricalToggled", column, checked })}
        />
      )}
    </section>
  );
}
