import { describeError as describeAnyError } from '../../shared/describe-error';
import type { Redactor } from '../../shared/redaction';

/** The redaction mechanism moved to shared/redaction.ts (one place builds it from config: redactorFor); re-exported for existing imports. */
export { createRedactor, secretVariants, type Redactor } from '../../shared/redaction';

/** The one describeError (shared/describe-error.ts), with the redactor required here: notifier errors may carry a webhook URL. */
export function describeError(error: unknown, redactor: Redactor): string {
  return describeAnyError(error, redactor);
}
