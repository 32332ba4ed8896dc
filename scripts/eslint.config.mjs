// Dev code: linted with the rules in ../eslint.dev.mjs (see there).
export { default } from '../eslint.dev.mjs';
