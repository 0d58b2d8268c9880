// Preact and htm, as the ES modules of their npm packages that the engine serves under ./vendor/
// (no build step). `html` is htm bound to Preact's h: tagged templates instead of JSX.
import { h, render, Component, Fragment } from './vendor/preact/preact.mjs';
import htm from './vendor/htm/htm.mjs';

export const html = htm.bind(h);
export { render, Component, Fragment };
