/**
 * A function's arguments as R code, read only, under the choices they come from (glmer's
 * `family = binomial(link = "probit")`, nlme's `correlation = corAR1(form = ~ 1 | Mare)`): a line
 * each, the name muted, a long one wrapped after its `=`.
 */
import { makeStyles, tokens } from "@fluentui/react-components";
import type { ReactElement } from "react";

const useStyles = makeStyles({
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    lineHeight: tokens.lineHeightBase200,
    whiteSpace: "pre-wrap",
    overflowWrap: "anywhere",
    margin: 0,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground1,
  },
  argument: { color: tokens.colorNeutralForeground3 },
});

export function ArgumentText(props: { lines: readonly { name: string; text: string; wrap?: boolean }[]; label: string; testId: string }): ReactElement | null {
  const s = useStyles();
  if (props.lines.length === 0) return null;
  return (
    <pre className={s.code} data-testid={props.testId} aria-label={props.label}>
      {props.lines.map((a, i) => (
        <span key={a.name}>
          {i > 0 && "\n"}
          <span className={s.argument}>{a.wrap ? `${a.name} =\n  ` : `${a.name} = `}</span>
          {a.text}
        </span>
      ))}
    </pre>
  );
}
