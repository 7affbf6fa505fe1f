/**
 * The model's family: Normal (a linear mixed model, the default) or a generalized one (lme4's glmer),
 * binomial or Poisson, with the family's links, the points of adaptive quadrature (disabled, with the
 * reason, where the formula does not allow more than one), how a binomial response is given, and
 * (`GlmerArguments`, shown under the formula) glmer's arguments beside it, read only. The logic is
 * `familyBuilder.ts`'s.
 */
import { Caption1, Field, makeStyles, Radio, RadioGroup, SpinButton, tokens } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { BINOMIAL_RESPONSES, FAMILY_CHOICES, linksOf, MAX_NAGQ, type BinomialResponse, type FamilyChoice, type FamilyChoices, type LinkChoice } from "./familyBuilder.js";
import { ArgumentText } from "./ArgumentText.js";
import { ChoicePicker } from "./ChoicePicker.js";
import type { Pane } from "./usePane.js";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
  pickers: { display: "grid", gridTemplateColumns: "minmax(0, 1fr) minmax(0, 1fr)", columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalS, alignItems: "start" },
  wide: { gridColumn: "1 / -1" },
  spin: { width: "120px" },
});

export function FamilyPickers(props: Pick<Pane, "state" | "dispatch" | "glmm" | "busy">): ReactElement {
  const { state, dispatch, glmm, busy } = props;
  const f = state.family;
  const s = useStyles();
  const p = usePaneStyles();
  const set = (family: Partial<FamilyChoices>): void => dispatch({ type: "familyChanged", family });
  const disabled = !state.range || busy;
  const links = linksOf(f.family);
  const blocked = glmm.quadratureBlocked;
  return (
    <div className={p.progress} data-testid="family">
      <div className={s.pickers}>
        <ChoicePicker<FamilyChoice>
          label="Family"
          fieldClassName={glmm.active ? undefined : s.wide}
          disabled={disabled}
          value={f.family}
          choices={FAMILY_CHOICES}
          onChange={(family) => set({ family })}
        />
        {glmm.active && (
          <ChoicePicker<LinkChoice>
            label="Link"
            disabled={disabled || links.length < 2}
            value={f.link}
            choices={links.map((l) => ({ value: l, label: l, short: l }))}
            onChange={(link) => set({ link })}
          />
        )}
        {glmm.active && (
          <Field
            label="Points of quadrature"
            className={s.wide}
            hint={blocked === null ? "1 is the Laplace approximation (lme4's default); more is adaptive Gauss-Hermite quadrature." : <span data-testid="nagq-blocked">1, the Laplace approximation. {blocked}</span>}
          >
            <SpinButton
              className={s.spin}
              aria-label="Points of quadrature"
              min={1}
              max={MAX_NAGQ}
              disabled={disabled || blocked !== null}
              value={blocked === null ? f.nAGQ : 1}
              onChange={(_, d) => {
                const v = d.value ?? (d.displayValue !== undefined ? Number(d.displayValue) : NaN);
                if (typeof v === "number" && Number.isFinite(v)) set({ nAGQ: Math.min(MAX_NAGQ, Math.max(1, Math.round(v))) });
              }}
            />
          </Field>
        )}
      </div>
      {f.family === "binomial" && (
        <Field label="The response is given as">
          <RadioGroup value={f.binomialResponse} disabled={disabled} onChange={(_, d) => set({ binomialResponse: d.value as BinomialResponse })}>
            {BINOMIAL_RESPONSES.map((r) => (
              <Radio key={r.value} value={r.value} label={r.label} />
            ))}
          </RadioGroup>
        </Field>
      )}
      {glmm.problem !== null && (
        <Caption1 className={p.error} data-testid="family-error">
          {glmm.problem}
        </Caption1>
      )}
    </div>
  );
}

/** glmer's arguments beside the formula, read only (`family = binomial(link = "probit")`, `weights = size`, `nAGQ = 9`); nothing for a linear mixed model. */
export function GlmerArguments(props: { arguments: { name: string; text: string }[] }): ReactElement | null {
  return <ArgumentText lines={props.arguments} label="glmer's arguments" testId="glmer-text" />;
}
