/** Numbers as the pane shows them: estimates and objectives, p-values as R prints them, and elapsed times. */

/** A number with `digits` decimals, or "–" where there is none. */
export const formatNumber = (x: number | null | undefined, digits = 4): string => (x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits));

/** A p-value as R prints it in anova tables: "< 2.2e-16" below double precision, else 3 significant digits. */
export const formatPValue = (p: number | null): string => (p === null || !Number.isFinite(p) ? "–" : p < 2.2e-16 ? "< 2.2e-16" : p < 1e-4 ? p.toExponential(2) : String(Number(p.toPrecision(3))));

/** An elapsed time: "850 ms" under a second, else "2.3 s". */
export const formatElapsed = (ms: number): string => (ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`);
