import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/** CloudWatch namespace of every metric the system publishes. */
export const METRICS_NAMESPACE = 'EntmootDR';

/** The function's logger: JSON lines, service name from POWERTOOLS_SERVICE_NAME. */
export const logger = new Logger();

/** The function's metrics, flushed as EMF by the middy middleware. */
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE });
