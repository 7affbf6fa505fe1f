/** The heading of a card of the pane: its step number in a circle, then its title. */
import { makeStyles, Subtitle2, tokens } from "@fluentui/react-components";
import type { ReactElement } from "react";
import { usePaneStyles } from "./usePaneStyles.js";

const useStyles = makeStyles({
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
});

export function SectionTitle(props: { step: number; children: string }): ReactElement {
  const s = useStyles();
  const p = usePaneStyles();
  return (
    <div className={s.sectionTitle}>
      <span className={s.step}>{props.step}</span>
      <Subtitle2 as="h2" className={p.heading}>
        {props.children}
      </Subtitle2>
    </div>
  );
}
