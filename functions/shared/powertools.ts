import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE } from './metric-names';

export { METRICS_NAMESPACE };

/** The function's logger: JSON lines, service name from POWERTOOLS_SERVICE_NAME. */
export const logger = new Logger();

/** The function's metrics, flushed as EMF by the middy middleware. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
