/**
 * Run by the TLS integration test in a child `node` (through tsx) with `NODE_EXTRA_CA_CERTS` set, as in Lambda:
 * connects with no CA option, validates, and prints the results (or the error's name and message) as JSON.
 * Connection settings come from EDR_CHILD_* variables; the token from EDR_CHILD_TOKEN.
 */
import { connect } from '../../functions/validator/connect';
import { validateDatabase } from '../../functions/validator/validate-database';
import { defaultPlan } from '../../lib/plan';

async function run(): Promise<unknown> {
  const env = process.env;
  const session = await connect({
    host: env.EDR_CHILD_HOST ?? '',
    port: Number(env.EDR_CHILD_PORT),
    database: env.EDR_CHILD_DATABASE ?? '',
    user: env.EDR_CHILD_USER ?? '',
    password: async () => env.EDR_CHILD_TOKEN ?? '',
    connectTimeoutSeconds: 15,
  });
  try {
    const results = await validateDatabase(session, defaultPlan(), {
      target: env.EDR_CHILD_DATABASE ?? '',
      referenceTime: new Date(),
      deadline: new Date(Date.now() + 600_000),
    });
    return { results };
  } finally {
    await session.end();
  }
}

run().then(
  (output) => process.stdout.write(JSON.stringify(output)),
  (error: Error) => process.stdout.write(JSON.stringify({ error: { name: error.name, message: error.message } })),
);
