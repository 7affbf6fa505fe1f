/**
 * The add-in's Excel side, thin and at the edge: every `Excel.run` of the add-in is in this folder,
 * and nothing else is. The task pane reads the data with `readSelectedRange` or `readUsedRange` and
 * writes the sheet tables with `writeSheetTables`; what they compute without Office (addresses,
 * blocks, sheet names, the plan of a sheet) is in `../common/sheet/`.
 */
export { readSelectedRange, readUsedRange, type RangeData } from "./readRange.js";
export { writeSheetTables, type WriteOptions } from "./writeSheetTables.js";
