/**
 * The styles that several parts of the pane share (cards, muted captions, monospace formulas,
 * progress and its numbers, lists of sheets); each component keeps the rest of its styles beside it.
 */
import { makeStyles, tokens } from "@fluentui/react-components";

export const usePaneStyles = makeStyles({
  heading: { margin: 0 },
  card: {
    display: "flex",
    flexDirection: "column",
    rowGap: tokens.spacingVerticalS,
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalM}`,
    backgroundColor: tokens.colorNeutralBackground1,
    borderRadius: tokens.borderRadiusMedium,
    boxShadow: tokens.shadow2,
  },
  grow: { flexGrow: 1 },
  muted: { color: tokens.colorNeutralForeground3 },
  error: { color: tokens.colorPaletteRedForeground1 },
  formula: { fontFamily: tokens.fontFamilyMonospace },
  progress: { display: "flex", flexDirection: "column", rowGap: tokens.spacingVerticalXS },
  stats: { display: "grid", gridTemplateColumns: "auto 1fr", columnGap: tokens.spacingHorizontalM, rowGap: "2px" },
  statValue: { fontFamily: tokens.fontFamilyMonospace, textAlign: "right" },
  sheetList: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
  structure: { margin: 0 },
});
