import { ConfigurationError } from './errors';

/**
 * Reads environment variables once, at cold start: a missing one throws at once (a deployment mistake),
 * never a silent empty default.
 */
export function requireEnv<K extends string>(...names: K[]): Record<K, string> {
  const missing = names.filter((n) => !process.env[n]);
  if (missing.length > 0) {
    throw new ConfigurationError(
      `missing environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')}: redeploy the stack`,
    );
  }
  return Object.fromEntries(names.map((n) => [n, process.env[n] as string])) as Record<K, string>;
}
