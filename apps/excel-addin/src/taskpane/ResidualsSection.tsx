/**
 * Step 3 of the pane, the residuals (nlme's lme): a correlation structure within the groups (AR(1)
 * by a time column or the rows' order, continuous-time AR(1), compound symmetry, unstructured),
 * the variances (equal, per group of a column, a power or exponential of a column), nlme's texts of
 * the choices under them (read only, as `nlme::lme` takes them), and the t-tests' df. The texts and
 * the checks are `residualBuilder.ts`'s.
 */
import { Caption1, Field, makeStyles, Radio, RadioGroup, tokens } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { ArgumentText } from "./ArgumentText.js";
import { ChoicePicker } from "./ChoicePicker.js";
import { ColumnPicker } from "./ColumnPicker.js";
import { argumentLines, CORRELATION_CHOICES, timeKind, VARIANCE_CHOICES, varianceKind, type CorrelationChoice, type ResidualChoices, type VarianceChoice } from "./residualBuilder.js";
import { SectionTitle } from "./SectionTitle.js";
import type { Pane } from "./usePane.js";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
  pickers: { display: "grid", gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)", columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalS, alignItems: "start" },
  dropdown: { minWidth: "0", width: "100%" },
  /** A choice with no column beside it: the card's width. */
  wide: { gridColumn: "1 / -1" },
});

export function ResidualsSection(props: Pick<Pane, "state" | "dispatch" | "columns" | "names" | "numeric" | "residual" | "glmm" | "busy">): ReactElement {
  const { state, dispatch, residual, glmm } = props;
  // a generalized model's variance follows from its family: the card does not apply, and says why
  const busy = props.busy || glmm.active;
  const r = state.residuals;
  const s = useStyles();
  const p = usePaneStyles();
  const set = (residuals: Partial<ResidualChoices>): void => dispatch({ type: "residualsChanged", residuals });
  const disabled = !state.range || busy;
  const tk = timeKind(r.correlation);
  const vk = varianceKind(r.variance);
  const hint = [CORRELATION_CHOICES.find((c) => c.value === r.correlation)?.hint, VARIANCE_CHOICES.find((c) => c.value === r.variance)?.hint].filter((h) => h).join(" ");
  const within = residual.group !== null ? `within each ${residual.group}` : "within the groups of the random effects";
  const texts = argumentLines([
    ...(residual.correlation !== null ? [{ name: "correlation", text: residual.correlation }] : []),
    ...(residual.variance !== null ? [{ name: "weights", text: residual.variance }] : []),
  ]);
  return (
    <section className={p.card} aria-label="Residuals">
      <SectionTitle step={3}>Residuals</SectionTitle>
      {glmm.active ? (
        <Caption1 className={p.muted} data-testid="residuals-disabled">
          Does not apply to a {state.family.family} model: its variance follows from the family, and nlme&apos;s structures are for linear mixed models.
        </Caption1>
      ) : (
        <Caption1 className={p.muted}>How the residuals correlate and vary {within} (nlme&apos;s lme).</Caption1>
      )}
      <div className={s.pickers}>
        <ChoicePicker<CorrelationChoice>
          label="Correlation"
          fieldClassName={tk === "none" ? s.wide : undefined}
          disabled={disabled}
          value={r.correlation}
          choices={CORRELATION_CHOICES}
          onChange={(correlation) => set({ correlation })}
        />
        {tk !== "none" ? (
          <ColumnPicker
            label={tk === "time" ? "Time" : r.correlation === "ar1" ? "Time (whole numbers)" : "Position"}
            className={s.dropdown}
            placeholder="Choose"
            disabled={disabled}
            options={props.numeric}
            selected={r.time ? [r.time] : []}
            {...(tk === "order" ? { noneLabel: "Row order" } : {})}
            error={residual.problems.time}
            onChange={(sel) => set({ time: sel[0] ?? "" })}
          />
        ) : null}
        <ChoicePicker<VarianceChoice>
          label="Variances"
          fieldClassName={vk === "none" ? s.wide : undefined}
          disabled={disabled}
          value={r.variance}
          choices={VARIANCE_CHOICES}
          onChange={(variance) => set({ variance })}
        />
        {vk !== "none" ? (
          <ColumnPicker
            label={vk === "strata" ? "Groups of" : r.variance === "power" ? "Power of" : "Exponential of"}
            className={s.dropdown}
            placeholder="Choose"
            disabled={disabled}
            options={vk === "strata" ? props.names : props.numeric}
            selected={r.varianceColumn ? [r.varianceColumn] : []}
            error={residual.problems.varianceColumn}
            onChange={(sel) => set({ varianceColumn: sel[0] ?? "" })}
          />
        ) : null}
      </div>
      {hint && !glmm.active && <Caption1 className={p.muted}>{hint}</Caption1>}
      {r.correlation === "independent" && r.variance === "equal" && !glmm.active && <Caption1 className={p.muted}>Independent residuals with equal variances: lme4&apos;s model.</Caption1>}
      {!glmm.active && <ArgumentText lines={texts} label="nlme's arguments" testId="residual-text" />}
      {residual.problems.correlation !== undefined && !glmm.active && (
        <Caption1 className={p.error} data-testid="residual-error">
          {residual.problems.correlation}
        </Caption1>
      )}
      <Field label="t-test df">
        <RadioGroup layout="horizontal" value={r.ddf} disabled={busy} onChange={(_, d) => set({ ddf: d.value === "containment" ? "containment" : "satterthwaite" })}>
          <Radio value="satterthwaite" label="Satterthwaite" />
          <Radio value="containment" label="Containment (nlme)" />
        </RadioGroup>
      </Field>
    </section>
  );
}
