/** Nest injection token for the wired tenant lifecycle (@lethe/lifecycle). */
export const LIFECYCLE = Symbol('Lifecycle');
