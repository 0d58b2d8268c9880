// For the settings specs: what loadConfig refuses an environment for, read the way boot reports it.
import { ConfigError, loadConfig } from './engine-config.js';

/** The problems `env` is refused with (each naming the setting and the rule); [] when it is accepted. */
export function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  return [];
}
