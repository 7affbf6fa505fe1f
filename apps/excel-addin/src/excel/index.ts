/**
 * The add-in's Excel side: every `Excel.run` of the add-in is in this folder. The task pane reads
 * the data with `readSelectedRange` or `readUsedRange` and writes the result tables with
 * `writeResultSheets`. The helpers beside them (addresses, sheet names, blocks, layout) are plain
 * functions without Office.
 */
export { readSelectedRange, readUsedRange, type RangeData } from "./readRange.js";
export { writeResultSheets, type WriteOptions } from "./writeResultSheets.js";
