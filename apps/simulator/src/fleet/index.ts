// The fleet generator's public face: the plan's contract (fleet-facts.ts) and the seeded generator.
export * from './fleet-facts.js';
export { DEFAULT_FLEET_START, generateFleet, type GenerateFleetOptions } from './generate-fleet.js';
export { Random } from './random.js';
