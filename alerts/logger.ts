import { jsonLinesLogger } from '../shared/logger';

/** The Logger shape is shared/logger.ts (one for every layer); re-exported so existing imports resolve. */
export { redactingLogger, silentLogger, type Logger } from '../shared/logger';

/** JSON lines on stderr tagged `component: alerts` (Cloud Logging reads `severity` and `message`). */
export const stderrLogger = jsonLinesLogger({ component: 'alerts' });
