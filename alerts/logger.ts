import { jsonLinesLogger } from '../shared/logger';

/** JSON lines on stderr tagged `component: alerts` (Cloud Logging reads `severity` and `message`). */
export const stderrLogger = jsonLinesLogger({ component: 'alerts' });
