/** The frame of a run's progress: a progress bar, then what the run is doing, or a spinner while its sheets are written. */
import { ProgressBar, Spinner } from "@fluentui/react-components";
import type { ReactElement, ReactNode } from "react";
import { usePaneStyles } from "./usePaneStyles.js";

export function ProgressPanel(props: {
  testId: string;
  /** The spinner's label while the sheets are written, else null (the children show). */
  writing: string | null;
  children: ReactNode;
}): ReactElement {
  const p = usePaneStyles();
  return (
    <div className={p.progress} data-testid={props.testId} aria-live="polite">
      <ProgressBar thickness="large" />
      {props.writing !== null ? <Spinner size="tiny" labelPosition="after" label={props.writing} /> : props.children}
    </div>
  );
}
