/**
 * Stands in for `@stdlib/function-ctor` in the add-in's bundles (vite.config.ts and build-office.mjs
 * alias it here). That package is `module.exports = Function`; its one user in the engine's
 * dependencies is `@stdlib/math-base-tools-evalpoly`'s `factory`, which compiles a polynomial from a
 * string with `new Function(...)`. The engine never calls that factory (the t distribution's code
 * calls `evalpoly(c, x)`, a loop), so this changes nothing that runs, and it keeps string evaluation
 * out of the bundles: the task pane's Content-Security-Policy allows none ('unsafe-eval' is absent),
 * and `test/security.test.ts` scans the built bundles for it.
 */
"use strict";

module.exports = function FunctionConstructorDisabled() {
  throw new Error("Compiling code from a string is disabled in the HLM add-in (no 'unsafe-eval' in its Content-Security-Policy).");
};
