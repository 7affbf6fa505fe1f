/** The pane's title bar: the add-in's name on the brand colour. */
import { Caption1, makeStyles, mergeClasses, Subtitle2, tokens } from "@fluentui/react-components";
import { DataAreaRegular } from "@fluentui/react-icons";
import type { ReactElement } from "react";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
  header: {
    display: "flex",
    alignItems: "center",
    columnGap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalL}`,
    flexShrink: 0,
    backgroundColor: tokens.colorBrandBackground,
    color: tokens.colorNeutralForegroundOnBrand,
  },
  headerIcon: { fontSize: "24px", flexShrink: 0 },
  headerText: { display: "flex", flexDirection: "column" },
  headerTitle: { color: tokens.colorNeutralForegroundOnBrand },
  headerCaption: { color: tokens.colorNeutralForegroundOnBrand, opacity: 0.85 },
});

export function PaneHeader(): ReactElement {
  const s = useStyles();
  const p = usePaneStyles();
  return (
    <header className={s.header}>
      <DataAreaRegular className={s.headerIcon} />
      <div className={s.headerText}>
        <Subtitle2 as="h1" className={mergeClasses(p.heading, s.headerTitle)}>
          Hierarchical linear model
        </Subtitle2>
        <Caption1 className={s.headerCaption}>HLM · lme4's numbers in Excel</Caption1>
      </div>
    </header>
  );
}
