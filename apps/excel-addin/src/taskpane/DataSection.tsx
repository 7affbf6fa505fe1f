/** Step 1 of the pane, the data: Use selection or Use whole sheet, then the range's address, size and columns (or why it could not be read). */
import { Badge, Body1, Button, Caption1, makeStyles, tokens } from "@fluentui/react-components";
import { isSumsHeader } from "@hlm/core";
import { NumberSymbolRegular, TextTRegular } from "@fluentui/react-icons";
import type { ReactElement } from "react";
import { SectionTitle } from "./SectionTitle.js";
import type { ColumnInfo, DataRange } from "./state.js";
import { StatusMessage } from "./StatusMessage.js";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
  buttons: { display: "grid", gridTemplateColumns: "1fr 1fr", columnGap: tokens.spacingHorizontalS },
  rangeButton: { minWidth: "0", paddingLeft: tokens.spacingHorizontalS, paddingRight: tokens.spacingHorizontalS, fontWeight: tokens.fontWeightRegular },
  address: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  columns: { display: "flex", flexWrap: "wrap", gap: tokens.spacingHorizontalXS },
});

export function DataSection(props: {
  range: DataRange | null;
  rangeError: string | null;
  columns: ColumnInfo[];
  busy: boolean;
  onLoad: (which: "selection" | "sheet") => void;
}): ReactElement {
  const { range, columns, busy } = props;
  const s = useStyles();
  const p = usePaneStyles();
  return (
    <section className={p.card} aria-label="Data">
      <SectionTitle step={1}>Data</SectionTitle>
      <Caption1 className={p.muted}>A range with a header row that names the columns.</Caption1>
      <div className={s.buttons}>
        <Button className={s.rangeButton} onClick={() => props.onLoad("selection")} disabled={busy}>
          Use selection
        </Button>
        <Button className={s.rangeButton} onClick={() => props.onLoad("sheet")} disabled={busy}>
          Use whole sheet
        </Button>
      </div>
      {range && (
        <div data-testid="range-info">
          <Body1>
            <span className={s.address} data-testid="range-address">
              {range.address}
            </span>{" "}
            <span className={p.muted}>
              · {range.table.nrow.toLocaleString()} rows · {columns.length} columns
              {isSumsHeader(columns.map((c) => c.name)) ? " · a warehouse's sums (the result of HLM.SQL's query): the model is fitted from them" : ""}
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
      {props.rangeError && (
        <StatusMessage intent="error" testId="range-error">
          {props.rangeError}
        </StatusMessage>
      )}
    </section>
  );
}
