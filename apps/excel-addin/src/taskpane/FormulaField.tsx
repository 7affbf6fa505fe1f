/** The formula box, checked as it is typed: a hint, "Formula reads well." or the error, and the character the error is at, marked. */
import { Field, makeStyles, Textarea, tokens } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { splitAtPosition, type FormulaCheck } from "./formulaBuilder.js";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
  marker: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase300,
    whiteSpace: "pre-wrap",
    wordBreak: "break-all",
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    backgroundColor: tokens.colorPaletteRedBackground1,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
  },
  markedChar: {
    backgroundColor: tokens.colorPaletteRedBackground3,
    color: tokens.colorNeutralForegroundOnBrand,
    borderRadius: tokens.borderRadiusSmall,
    textDecorationLine: "underline",
    textDecorationStyle: "wavy",
  },
});

export function FormulaField(props: {
  formula: string;
  check: FormulaCheck;
  /** A range is read ("Formula reads well." is said only then). */
  hasRange: boolean;
  disabled: boolean;
  onEdit: (text: string) => void;
}): ReactElement {
  const { formula, check } = props;
  const s = useStyles();
  const p = usePaneStyles();
  const marked = check.kind === "error" && check.position !== undefined ? splitAtPosition(formula, check.position) : null;
  return (
    <>
      <Field
        label="Formula"
        hint={check.kind === "error" ? undefined : "lme4 syntax: y ~ x + (x | group). Pick above or type."}
        validationState={check.kind === "error" ? "error" : check.kind === "ok" ? "success" : "none"}
        validationMessage={
          check.kind === "error" ? (
            <span data-testid="formula-error">{check.message}</span>
          ) : check.kind === "ok" && props.hasRange ? (
            "Formula reads well."
          ) : undefined
        }
      >
        <Textarea
          className={p.formula}
          textarea={{ className: p.formula, spellCheck: false, "aria-label": "Formula" }}
          resize="vertical"
          value={formula}
          disabled={props.disabled}
          placeholder="Reaction ~ Days + (Days | Subject)"
          onChange={(_, d) => props.onEdit(d.value)}
        />
      </Field>
      {marked && (
        <div className={s.marker} data-testid="formula-marker" aria-label={`Error at position ${check.kind === "error" ? check.position : ""}`}>
          {marked.before}
          <span className={s.markedChar} data-testid="formula-marked-char">
            {marked.at}
          </span>
          {marked.after}
        </div>
      )}
    </>
  );
}
