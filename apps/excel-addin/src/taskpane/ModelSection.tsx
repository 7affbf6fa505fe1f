/**
 * Step 2 of the pane, the model: the family (Normal, or a generalized model's with its link,
 * quadrature and binomial response), the pickers, the formula, the models to compare with, REML or
 * ML, the diagnostics sheet, and the categorical columns. For a generalized model, REML and the
 * diagnostics sheet do not apply: they are disabled, with the reason; the models compared take its family.
 */
import { Checkbox, Field, Radio, RadioGroup } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { CategoricalColumns } from "./CategoricalColumns.js";
import { CompareModels } from "./CompareModels.js";
import { responseLabel, secondColumn } from "./familyBuilder.js";
import { FamilyPickers, GlmerArguments } from "./FamilyPickers.js";
import { FormulaField } from "./FormulaField.js";
import { ModelPickers } from "./ModelPickers.js";
import { SectionTitle } from "./SectionTitle.js";
import type { Pane } from "./usePane.js";
import { usePaneStyles } from "./usePaneStyles.js";

export function ModelSection(props: Pick<Pane, "state" | "dispatch" | "columns" | "names" | "numeric" | "check" | "modelChecks" | "glmm" | "busy">): ReactElement {
  const { state, dispatch, busy, glmm } = props;
  const p = usePaneStyles();
  const second = secondColumn(state.family);
  return (
    <section className={p.card} aria-label="Model">
      <SectionTitle step={2}>Model</SectionTitle>
      <FamilyPickers state={state} dispatch={dispatch} glmm={glmm} busy={busy} />
      <ModelPickers
        pickers={state.pickers}
        names={props.names}
        numeric={props.numeric}
        disabled={!state.range || busy}
        onChange={(pickers) => dispatch({ type: "pickersChanged", pickers })}
        response={{ label: responseLabel(state.family), anyColumn: state.family.family === "binomial" && state.family.binomialResponse === "binary" }}
        second={second === null ? null : { label: second, selected: state.family.second, onChange: (column) => dispatch({ type: "familyChanged", family: { second: column } }) }}
      />
      <FormulaField formula={state.formula} check={props.check} hasRange={!!state.range} disabled={busy} onEdit={(text) => dispatch({ type: "formulaEdited", text })} />
      <GlmerArguments arguments={glmm.arguments} />
      <CompareModels
        models={state.models}
        checks={props.modelChecks}
        busy={busy}
        hasRange={!!state.range}
        {...(glmm.active ? { note: "Every model is fitted with the family, link and points of quadrature above." } : {})}
        onEdit={(index, text) => dispatch({ type: "modelEdited", index, text })}
        onRemove={(index) => dispatch({ type: "modelRemoved", index })}
        onAdd={() => dispatch({ type: "modelAdded" })}
      />
      <Field label="Estimation" hint={glmm.active ? "A generalized model is fitted by maximum likelihood (lme4's glmer has no REML)." : undefined}>
        <RadioGroup
          layout="horizontal"
          value={glmm.active ? "ML" : state.method}
          disabled={busy || glmm.active}
          onChange={(_, d) => dispatch({ type: "methodChanged", method: d.value === "ML" ? "ML" : "REML" })}
        >
          <Radio value="REML" label="REML" />
          <Radio value="ML" label="Maximum likelihood" />
        </RadioGroup>
      </Field>
      <Checkbox
        label={glmm.active ? "Diagnostics sheet (linear mixed models only)" : "Diagnostics sheet: residual and normal QQ plots"}
        checked={state.diagnostics && !glmm.active}
        disabled={busy || glmm.active}
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
