/**
 * The HLM task pane: data range, formula with pickers, method, categorical columns, Fit with
 * progress and Cancel, and the result sheets. Office calls go through `../excel/index.js`; the
 * fitting runs in the worker (`fitClient.ts`); the logic is in `state.ts` and `formulaBuilder.ts`.
 */
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Checkbox,
  Dropdown,
  Field,
  Label,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Option,
  ProgressBar,
  Radio,
  RadioGroup,
  Spinner,
  mergeClasses,
  Subtitle2,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from "@fluentui/react-components";
import { AddRegular, DataAreaRegular, DismissRegular, NumberSymbolRegular, PlayRegular, TableSimpleRegular, TextTRegular } from "@fluentui/react-icons";
import { HlmError } from "@hlm/core";
import { startTransition, useEffect, useMemo, useReducer, useRef, type ReactElement } from "react";
import { rangeOrigin } from "../excel/addresses.js";
import { readSelectedRange, readUsedRange, writeResultSheets } from "../excel/index.js";
import { FitClient, type WorkerLike } from "./fitClient.js";
import { checkFormulaText, splitAtPosition } from "./formulaBuilder.js";
import { comparisonFormulas, factorsOf, initialState, isBusy, reducer, type PaneState } from "./state.js";

const useStyles = makeStyles({
  root: {
    display: "flex",
    flexDirection: "column",
    height: "100vh",
    boxSizing: "border-box",
    backgroundColor: tokens.colorNeutralBackground2,
  },
  header: {
    display: "flex",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    flexShrink: 0,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  heading: { margin: 0 },
  headerIcon: { fontSize: "24px", flexShrink: 0 },
  headerText: { display: "flex", flexDirection: "column" },
  headerTitle: { color: tokens.colorNeutralForegroundOnBrand },
  headerCaption: { color: tokens.colorNeutralForegroundOnBrand, opacity: 0.85 },
  body: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalM,
    padding: tokens.spacingHorizontalM,
    flexGrow: 1,
    overflowY: "auto",
  },
  card: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow2,
  },
  sectionTitle: { display: "flex", alignItems: "center", columnGap: tokens.spacingHorizontalS },
  step: {
    display: "inline-flex",
    alignItems: "center",
    justifyContent: "center",
    width: "20px",
    height: "20px",
    borderRadius: tokens.borderRadiusCircular,
    backgroundColor: tokens.colorBrandBackground2,
    color: tokens.colorBrandForeground2,
    fontSize: tokens.fontSizeBase200,
    fontWeight: tokens.fontWeightSemibold,
  },
  buttons: { display: "grid", gridTemplateColumns: "1fr 1fr", columnGap: tokens.spacingHorizontalS },
  rangeButton: { minWidth: "0", paddingLeft: tokens.spacingHorizontalS, paddingRight: tokens.spacingHorizontalS, fontWeight: tokens.fontWeightRegular },
  grow: { flexGrow: 1 },
  address: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  columns: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
  muted: { color: tokens.colorNeutralForeground3 },
  pickers: { display: "grid", gridTemplateColumns: "1fr 1fr", columnGap: tokens.spacingHorizontalS, rowGap: tokens.spacingVerticalS },
  dropdown: { minWidth: "0", width: "100%" },
  formula: { fontFamily: tokens.fontFamilyMonospace },
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
  checks: { display: "grid", gridTemplateColumns: "1fr 1fr", columnGap: tokens.spacingHorizontalS },
  fitRow: { display: "flex", columnGap: tokens.spacingHorizontalS },
  progress: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS },
  stats: { display: "grid", gridTemplateColumns: "auto 1fr", columnGap: tokens.spacingHorizontalM, rowGap: "2px" },
  statValue: { fontFamily: tokens.fontFamilyMonospace, textAlign: "right" },
  sheetList: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  modelRow: { display: "flex", alignItems: "flex-start", columnGap: tokens.spacingHorizontalXS },
  modelName: { fontFamily: tokens.fontFamilyMonospace, paddingTop: tokens.spacingVerticalS, minWidth: "24px" },
  addModel: { alignSelf: "flex-start" },
  actions: {
    flexShrink: 0,
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderTop: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    boxShadow: tokens.shadow8,
    maxHeight: "45vh",
    overflowY: "auto",
  },
});

/** One sentence from anything thrown by the Excel calls or the range conversion. */
function messageOf(e: unknown, what: string): string {
  if (e instanceof HlmError) return e.message;
  const text = e instanceof Error ? e.message : typeof e === "string" ? e : "";
  const first = text.split("\n")[0]!.trim().replace(/\.$/, "");
  return `${what}${first ? `: ${first}` : ""}.`;
}

const fmt = (x: number | null | undefined, digits = 4): string => (x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits));

/** A p-value as R prints it in anova tables: "< 2.2e-16" below double precision, else 3 significant digits. */
const fmtP = (p: number | null): string => (p === null || !Number.isFinite(p) ? "–" : p < 2.2e-16 ? "< 2.2e-16" : p < 1e-4 ? p.toExponential(2) : String(Number(p.toPrecision(3))));

function createWorker(): WorkerLike {
  return new Worker(new URL("../worker/fitWorker.ts", import.meta.url), { type: "module", name: "hlm-fit" }) as unknown as WorkerLike;
}

/** A labelled dropdown of column names (one, or several with `multiselect`). */
function ColumnPicker(props: {
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

function SectionTitle(props: { step: number; children: string }): ReactElement {
  const s = useStyles();
  return (
    <div className={s.sectionTitle}>
      <span className={s.step}>{props.step}</span>
      <Subtitle2 as="h2" className={s.heading}>
        {props.children}
      </Subtitle2>
    </div>
  );
}

export function App(): ReactElement {
  const s = useStyles();
  const [state, dispatch] = useReducer(reducer, initialState);
  const stateRef = useRef<PaneState>(state);
  stateRef.current = state;
  const client = useMemo(() => new FitClient(createWorker), []);
  useEffect(() => {
    client.warmUp();
    return () => client.dispose();
  }, [client]);

  const columns = state.range?.columns ?? [];
  const names = columns.map((c) => c.name);
  const numeric = columns.filter((c) => c.kind === "number").map((c) => c.name);
  const check = useMemo(() => checkFormulaText(state.formula, names), [state.formula, names.join("\u0000")]);
  const busy = isBusy(state.fit);
  const { pickers } = state;

  async function loadRange(which: "selection" | "sheet"): Promise<void> {
    dispatch({ type: "rangeReading" });
    try {
      const { address, values } = which === "selection" ? await readSelectedRange() : await readUsedRange();
      // the cells become a table in the worker (rangeToTable's checks), off the page's main thread
      const { table, layout } = await client.makeTable(values, which === "selection" ? "selection" : "used range", rangeOrigin(address));
      // a new range re-renders most of the pane (columns, pickers, checkboxes): in slices, as a transition
      startTransition(() => dispatch({ type: "rangeLoaded", address, table, layout }));
    } catch (e) {
      if (e instanceof HlmError && e.code === "CANCELLED") return; // a newer read replaced this one
      dispatch({ type: "rangeFailed", message: messageOf(e, "Excel could not read the range") });
    }
  }

  function fit(): void {
    const st = stateRef.current;
    if (!st.range || check.kind !== "ok" || isBusy(st.fit) || client.busy) return;
    const REML = st.method === "REML";
    const id = client.start(
      {
        table: st.range.table,
        formula: st.formula.trim(),
        REML,
        factors: factorsOf(st),
        dataName: st.range.address,
        diagnostics: st.diagnostics,
        ...(st.range.layout ? { layout: st.range.layout } : {}),
      },
      {
        onProgress: (m) =>
          dispatch({ type: "fitProgress", id: m.id, stage: m.stage, evaluations: m.evaluations, objective: m.objective, bestObjective: m.bestObjective }),
        onCancelled: (evaluations, how) => {
          document.documentElement.dataset["cancelPath"] = how;
          dispatch({ type: "fitCancelled", id, evaluations });
        },
        onError: (m) => dispatch({ type: "fitFailed", id, message: m.message }),
        onDone: (m) => {
          dispatch({ type: "fitComputed", id: m.id, digest: m.fit });
          const now = stateRef.current.fit;
          if (now.phase === "cancelling" || now.phase === "cancelled") return; // cancelled in time: write nothing
          void writeResultSheets(m.tables, { chart: true }).then(
            ({ sheetNames }) => dispatch({ type: "sheetsWritten", sheetNames, elapsedMs: m.elapsedMs }),
            (e: unknown) => dispatch({ type: "fitFailed", id, message: messageOf(e, "The result sheets could not be written") }),
          );
        },
      },
    );
    // the whole pane changes (every control disabled, the progress shown): rendered as a transition,
    // in slices, so that the click's task stays short
    startTransition(() => dispatch({ type: "fitStarted", id }));
  }

  function compare(): void {
    const st = stateRef.current;
    const formulas = comparisonFormulas(st);
    if (!st.range || !compareReady || isBusy(st.fit) || client.busy) return;
    const id = client.compare(
      {
        table: st.range.table,
        formulas,
        REML: st.method === "REML",
        factors: factorsOf(st),
        dataName: st.range.address,
        ...(st.range.layout ? { layout: st.range.layout } : {}),
      },
      {
        onProgress: (m) => dispatch({ type: "compareProgress", id: m.id, model: m.model, models: m.models, evaluations: m.evaluations }),
        onCancelled: (evaluations, how) => {
          document.documentElement.dataset["cancelPath"] = how;
          dispatch({ type: "fitCancelled", id, evaluations });
        },
        onError: (m) => dispatch({ type: "fitFailed", id, message: m.message }),
        onDone: (m) => {
          dispatch({ type: "compareComputed", id: m.id, rows: m.rows, note: m.note });
          const now = stateRef.current.fit;
          if ((now.phase === "comparing" && now.cancelling) || now.phase === "cancelled") return; // cancelled in time: write nothing
          void writeResultSheets(m.tables, { chart: false }).then(
            ({ sheetNames }) => dispatch({ type: "comparisonWritten", sheetNames, elapsedMs: m.elapsedMs }),
            (e: unknown) => dispatch({ type: "fitFailed", id, message: messageOf(e, "The comparison sheet could not be written") }),
          );
        },
      },
    );
    startTransition(() => dispatch({ type: "compareStarted", id, models: formulas.length }));
  }

  function cancel(): void {
    dispatch({ type: "cancelRequested" });
    client.cancel();
  }

  const f = state.fit;
  const marked = check.kind === "error" && check.position !== undefined ? splitAtPosition(state.formula, check.position) : null;
  const fitDisabled = busy || !state.range || check.kind !== "ok";
  const modelChecks = state.models.map((m) => (m.trim() === "" ? null : checkFormulaText(m, names)));
  const compareReady = !!state.range && check.kind === "ok" && comparisonFormulas(state).length >= 2 && modelChecks.every((c) => c === null || c.kind === "ok");

  return (
    <div className={s.root}>
      <header className={s.header}>
        <DataAreaRegular className={s.headerIcon} />
        <div className={s.headerText}>
          <Subtitle2 as="h1" className={mergeClasses(s.heading, s.headerTitle)}>
            Hierarchical linear model
          </Subtitle2>
          <Caption1 className={s.headerCaption}>HLM · lme4's numbers in Excel</Caption1>
        </div>
      </header>

      <main className={s.body}>
        <section className={s.card} aria-label="Data">
          <SectionTitle step={1}>Data</SectionTitle>
          <Caption1 className={s.muted}>A range with a header row that names the columns.</Caption1>
          <div className={s.buttons}>
            <Button className={s.rangeButton} onClick={() => void loadRange("selection")} disabled={busy}>
              Use selection
            </Button>
            <Button className={s.rangeButton} onClick={() => void loadRange("sheet")} disabled={busy}>
              Use whole sheet
            </Button>
          </div>
          {state.range && (
            <div data-testid="range-info">
              <Body1>
                <span className={s.address} data-testid="range-address">
                  {state.range.address}
                </span>{" "}
                <span className={s.muted}>
                  · {state.range.table.nrow.toLocaleString()} rows · {columns.length} columns
                </span>
              </Body1>
              <div className={s.columns} data-testid="range-columns">
                {columns.map((c) => (
                  <Badge
                    key={c.name}
                    appearance="tint"
                    color={c.kind === "number" ? "brand" : "informative"}
                    icon={c.kind === "number" ? <NumberSymbolRegular /> : <TextTRegular />}
                  >
                    {c.name}
                  </Badge>
                ))}
              </div>
            </div>
          )}
          {state.rangeError && (
            <MessageBar intent="error" data-testid="range-error">
              <MessageBarBody>{state.rangeError}</MessageBarBody>
            </MessageBar>
          )}
        </section>

        <section className={s.card} aria-label="Model">
          <SectionTitle step={2}>Model</SectionTitle>
          <div className={s.pickers}>
            <ColumnPicker
              label="Response"
              className={s.dropdown}
              placeholder="Choose"
              disabled={!state.range || busy}
              options={numeric}
              selected={pickers.response ? [pickers.response] : []}
              onChange={(sel) => dispatch({ type: "pickersChanged", pickers: { response: sel[0] ?? "" } })}
            />
            <ColumnPicker
              label="Grouping factor"
              className={s.dropdown}
              placeholder="Choose"
              disabled={!state.range || busy}
              options={names.filter((n) => n !== pickers.response)}
              selected={pickers.group ? [pickers.group] : []}
              onChange={(sel) => dispatch({ type: "pickersChanged", pickers: { group: sel[0] ?? "" } })}
            />
            <ColumnPicker
              label="Fixed effects"
              className={s.dropdown}
              placeholder="Intercept only"
              multiselect
              disabled={!state.range || busy}
              options={names.filter((n) => n !== pickers.response && n !== pickers.group)}
              selected={pickers.fixed}
              onChange={(sel) => dispatch({ type: "pickersChanged", pickers: { fixed: sel } })}
            />
            <ColumnPicker
              label="Random slopes"
              className={s.dropdown}
              placeholder="Intercept only"
              multiselect
              disabled={!state.range || busy || !pickers.group}
              options={names.filter((n) => n !== pickers.response && n !== pickers.group)}
              selected={pickers.slopes}
              onChange={(sel) => dispatch({ type: "pickersChanged", pickers: { slopes: sel } })}
            />
          </div>
          <Field
            label="Formula"
            hint={check.kind === "error" ? undefined : "lme4 syntax: y ~ x + (x | group). Pick above or type."}
            validationState={check.kind === "error" ? "error" : check.kind === "ok" ? "success" : "none"}
            validationMessage={
              check.kind === "error" ? (
                <span data-testid="formula-error">{check.message}</span>
              ) : check.kind === "ok" && state.range ? (
                "Formula reads well."
              ) : undefined
            }
          >
            <Textarea
              className={s.formula}
              textarea={{ className: s.formula, spellCheck: false, "aria-label": "Formula" }}
              resize="vertical"
              value={state.formula}
              disabled={busy}
              placeholder="Reaction ~ Days + (Days | Subject)"
              onChange={(_, d) => dispatch({ type: "formulaEdited", text: d.value })}
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
          <div className={s.progress} data-testid="models">
            {state.models.length > 0 && <Label>Compare with (the formula above is m0)</Label>}
            {state.models.map((m, i) => {
              const c = modelChecks[i];
              return (
                <Field
                  key={i}
                  validationState={c?.kind === "error" ? "error" : "none"}
                  validationMessage={c?.kind === "error" ? <span data-testid={`model-error-${i + 1}`}>{c.message}</span> : undefined}
                >
                  <div className={s.modelRow}>
                    <Caption1 className={s.modelName}>m{i + 1}</Caption1>
                    <Textarea
                      className={mergeClasses(s.formula, s.grow)}
                      textarea={{ className: s.formula, spellCheck: false, "aria-label": `Model m${i + 1} formula` }}
                      resize="vertical"
                      value={m}
                      disabled={busy}
                      onChange={(_, d) => dispatch({ type: "modelEdited", index: i, text: d.value })}
                    />
                    <Button appearance="subtle" icon={<DismissRegular />} aria-label={`Remove model m${i + 1}`} disabled={busy} onClick={() => dispatch({ type: "modelRemoved", index: i })} />
                  </div>
                </Field>
              );
            })}
            <Button className={s.addModel} size="small" icon={<AddRegular />} disabled={busy || !state.range} onClick={() => dispatch({ type: "modelAdded" })}>
              Add model
            </Button>
          </div>
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
            <div>
              <Label>Categorical columns</Label>
              <div className={s.checks} data-testid="categorical">
                {columns.map((c) => (
                  <Checkbox
                    key={c.name}
                    label={c.name}
                    checked={state.categorical.includes(c.name)}
                    disabled={busy || c.kind === "string"}
                    onChange={(_, d) => dispatch({ type: "categoricalToggled", column: c.name, checked: d.checked === true })}
                  />
                ))}
              </div>
              <Caption1 className={s.muted}>Text columns are always categorical.</Caption1>
            </div>
          )}
        </section>
      </main>
      <section className={s.actions} aria-label="Fit">
        <div className={s.fitRow}>
          <Button appearance="primary" icon={<PlayRegular />} className={s.grow} disabled={fitDisabled} onClick={fit}>
            Fit model
          </Button>
          {state.models.length > 0 && (
            <Button icon={<TableSimpleRegular />} className={s.grow} disabled={busy || !compareReady} onClick={compare}>
              Compare models
            </Button>
          )}
          {(f.phase === "fitting" || f.phase === "cancelling" || f.phase === "comparing") && (
            <Button icon={<DismissRegular />} onClick={cancel} disabled={f.phase === "cancelling" || (f.phase === "comparing" && f.cancelling)}>
              Cancel
            </Button>
          )}
        </div>
        {f.phase === "idle" && (
          <Caption1 className={s.muted}>{state.range ? "Results go to new sheets; your data is never overwritten." : "Choose the data first."}</Caption1>
        )}

        {(f.phase === "fitting" || f.phase === "cancelling" || f.phase === "writing") && (
          <div className={s.progress} data-testid="progress" aria-live="polite">
            <ProgressBar thickness="large" />
            {f.phase === "writing" ? (
              <Spinner size="tiny" labelPosition="after" label="Writing the result sheets…" />
            ) : (
              <>
                <Body1>
                  {f.phase === "cancelling"
                    ? "Cancelling…"
                    : f.stage === "optimizing"
                      ? "Optimizing the likelihood…"
                      : f.stage === "finishing"
                        ? "Computing standard errors and tables…"
                        : "Building the model…"}
                </Body1>
                <div className={s.stats}>
                  <Caption1 className={s.muted}>Evaluations</Caption1>
                  <Caption1 className={s.statValue} data-testid="progress-evaluations">
                    {f.evaluations}
                  </Caption1>
                  <Caption1 className={s.muted}>{state.method === "REML" ? "REML criterion" : "Deviance"}</Caption1>
                  <Caption1 className={s.statValue} data-testid="progress-objective">
                    {fmt(f.objective)}
                  </Caption1>
                  <Caption1 className={s.muted}>Best so far</Caption1>
                  <Caption1 className={s.statValue}>{fmt(f.bestObjective)}</Caption1>
                </div>
              </>
            )}
          </div>
        )}

        {(f.phase === "comparing" || f.phase === "compareWriting") && (
          <div className={s.progress} data-testid="compare-progress" aria-live="polite">
            <ProgressBar thickness="large" />
            {f.phase === "compareWriting" ? (
              <Spinner size="tiny" labelPosition="after" label="Writing the comparison sheet…" />
            ) : (
              <>
                <Body1>{f.cancelling ? "Cancelling…" : `Fitting model m${f.model} (${f.model + 1} of ${f.models}) by maximum likelihood…`}</Body1>
                <div className={s.stats}>
                  <Caption1 className={s.muted}>Evaluations</Caption1>
                  <Caption1 className={s.statValue}>{f.evaluations}</Caption1>
                </div>
              </>
            )}
          </div>
        )}
        {f.phase === "compared" && (
          <MessageBar intent="success" layout="multiline" data-testid="comparison">
            <MessageBarBody>
              <MessageBarTitle>Compared</MessageBarTitle>
              {f.rows.length} models, {f.elapsedMs < 1000 ? `${Math.round(f.elapsedMs)} ms` : `${(f.elapsedMs / 1000).toFixed(1)} s`}.
              <ul className={s.sheetList} data-testid="comparison-tests">
                {f.rows.slice(1).map((r, i) => (
                  <li key={r.name}>
                    {r.name} vs {f.rows[i]!.name}: χ²({r.Df ?? "–"}) = {fmt(r.Chisq, 2)}, p = {fmtP(r.pValue)}
                  </li>
                ))}
              </ul>
              {f.note && <div>Note: {f.note}.</div>}
              <div>
                Created the sheet{f.sheetNames.length === 1 ? "" : "s"} <span data-testid="comparison-sheet">{f.sheetNames.join(", ")}</span>.
              </div>
            </MessageBarBody>
          </MessageBar>
        )}
        {f.phase === "done" && (
          <MessageBar intent="success" layout="multiline" data-testid="result">
            <MessageBarBody>
              <MessageBarTitle>Fitted</MessageBarTitle>
              {f.digest.nobs.toLocaleString()} observations, {f.digest.evaluations} evaluations,{" "}
              {f.elapsedMs < 1000 ? `${Math.round(f.elapsedMs)} ms` : `${(f.elapsedMs / 1000).toFixed(1)} s`}. Created the sheets:
              <ul className={s.sheetList} data-testid="sheet-names">
                {f.sheetNames.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
              {f.digest.warnings.length > 0 && <Text>Warnings: {f.digest.warnings.join(" ")}</Text>}
            </MessageBarBody>
          </MessageBar>
        )}
        {f.phase === "cancelled" && (
          <MessageBar intent="warning" data-testid="cancelled">
            <MessageBarBody>
              <MessageBarTitle>Fit cancelled</MessageBarTitle>
              Stopped after {f.evaluations} evaluations; no sheet was written.
            </MessageBarBody>
          </MessageBar>
        )}
        {f.phase === "error" && (
          <MessageBar intent="error" layout="multiline" data-testid="fit-error">
            <MessageBarBody>{f.message}</MessageBarBody>
          </MessageBar>
        )}
      </section>
    </div>
  );
}
