/** The models to compare the formula with (m1, m2, …; the formula is m0): a formula box each, checked as it is typed, with Remove, and Add model; a note under the heading. */
import { Button, Caption1, Field, Label, makeStyles, mergeClasses, Textarea, tokens } from "@fluentui/react-components";
import { AddRegular, DismissRegular } from "@fluentui/react-icons";
import type { ReactElement } from "react";
import type { FormulaCheck } from "./formulaBuilder.js";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
  modelRow: { display: "flex", alignItems: "flex-start", columnGap: tokens.spacingHorizontalXS },
  modelName: { fontFamily: tokens.fontFamilyMonospace, paddingTop: tokens.spacingVerticalS, minWidth: "24px" },
  addModel: { alignSelf: "flex-start" },
});

/** Lines a model's box opens with: enough for its formula at the pane's width (a cbind() response runs to three or four), at most six. */
export const formulaRows = (text: string): number => Math.min(6, Math.max(2, Math.ceil(text.length / 22)));

export function CompareModels(props: {
  models: string[];
  /** The check of each model's formula (null for an empty box). */
  checks: (FormulaCheck | null)[];
  busy: boolean;
  hasRange: boolean;
  /** A line under the heading (for generalized models: that every model takes the family above). */
  note?: string;
  onEdit: (index: number, text: string) => void;
  onRemove: (index: number) => void;
  onAdd: () => void;
}): ReactElement {
  const { models, busy } = props;
  const s = useStyles();
  const p = usePaneStyles();
  return (
    <div className={p.progress} data-testid="models">
      {models.length > 0 && <Label>Compare with (the formula above is m0)</Label>}
      {models.length > 0 && props.note && (
        <Caption1 className={p.muted} data-testid="models-note">
          {props.note}
        </Caption1>
      )}
      {models.map((m, i) => {
        const c = props.checks[i];
        return (
          <Field
            key={i}
            validationState={c?.kind === "error" ? "error" : "none"}
            validationMessage={c?.kind === "error" ? <span data-testid={`model-error-${i + 1}`}>{c.message}</span> : undefined}
          >
            <div className={s.modelRow}>
              <Caption1 className={s.modelName}>m{i + 1}</Caption1>
              <Textarea
                className={mergeClasses(p.formula, p.grow)}
                textarea={{ className: p.formula, spellCheck: false, "aria-label": `Model m${i + 1} formula`, rows: formulaRows(m) }}
                resize="vertical"
                value={m}
                disabled={busy}
                onChange={(_, d) => props.onEdit(i, d.value)}
              />
              <Button appearance="subtle" icon={<DismissRegular />} aria-label={`Remove model m${i + 1}`} disabled={busy} onClick={() => props.onRemove(i)} />
            </div>
          </Field>
        );
      })}
      <Button className={s.addModel} size="small" icon={<AddRegular />} disabled={busy || !props.hasRange} onClick={() => props.onAdd()}>
        Add model
      </Button>
    </div>
  );
}
