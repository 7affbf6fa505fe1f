/** A message bar of the pane: what came of a step (a fit or comparison done or cancelled, a range or fit that failed), with an optional title. */
import { MessageBar, MessageBarBody, MessageBarTitle } from "@fluentui/react-components";
import type { ReactElement, ReactNode } from "react";

export function StatusMessage(props: { intent: "success" | "warning" | "error"; testId: string; title?: string; multiline?: boolean; children: ReactNode }): ReactElement {
  return (
    <MessageBar intent={props.intent} {...(props.multiline ? { layout: "multiline" as const } : {})} data-testid={props.testId}>
      <MessageBarBody>
        {props.title !== undefined && <MessageBarTitle>{props.title}</MessageBarTitle>}
        {props.children}
      </MessageBarBody>
    </MessageBar>
  );
}
