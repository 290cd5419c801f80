/** Name of the plan file shipped beside every Lambda bundle (written at synth, read once at cold start). */
export const PLAN_FILE_NAME = 'plan.json';
