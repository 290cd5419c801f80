/** Milliseconds in a minute, an hour and a day: the units durations are computed in. */
export const MINUTE_MS = 60_000;
/** Milliseconds in an hour. */
export const HOUR_MS = 60 * MINUTE_MS;
/** Milliseconds in a day (24 h: UTC has no daylight-saving days). */
export const DAY_MS = 24 * HOUR_MS;
