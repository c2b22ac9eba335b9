// Owns opening the whole app (Postgres, Redis, broker) for a CLI command that needs the broker: the configuration from
// the environment, a quieter logger, and a message for people when it cannot open.
import type { AppContext } from '../app/context.js';

/** The open app, or why it could not open (a configuration problem as such, anything else after `cannot start`). */
export async function openCliApp(): Promise<AppContext | string> {
  const { ConfigError, loadConfig } = await import('../config/env.js');
  try {
    const config = loadConfig();
    const [{ createAppContext }, { createLogger }] = await Promise.all([
      import('../app/context.js'),
      import('../log.js'),
    ]);
    return await createAppContext({
      config,
      log: createLogger({ level: config.logLevel === 'info' ? 'warn' : config.logLevel }),
    });
  } catch (error) {
    return error instanceof ConfigError
      ? error.message
      : `cannot start (Postgres, Redis, broker): ${error instanceof Error ? error.message : String(error)}`;
  }
}
