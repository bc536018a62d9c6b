// Long text in a table cell (an alarm name, a message title) that wraps within a width instead of widening
// its column: tables lay out at their content's width, and on a phone one long name would push every
// other column out of sight.
import type { ReactNode } from 'react';

/** At most 40 % of a phone's width, so the columns beside it stay in sight. */
const CELL_STYLE = {
  minWidth: 100,
  maxWidth: 'min(260px, 40vw)',
  whiteSpace: 'normal',
  overflowWrap: 'anywhere',
} as const;

export function WrappingText({ children }: { readonly children: ReactNode }) {
  return <div style={CELL_STYLE}>{children}</div>;
}
