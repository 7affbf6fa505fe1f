/** profileIntervals: see the module that replaces this placeholder (issue 7). */
export {};
