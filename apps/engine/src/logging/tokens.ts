/** Nest injection token for the engine's root pino logger. */
export const ROOT_LOGGER = Symbol('RootLogger');
