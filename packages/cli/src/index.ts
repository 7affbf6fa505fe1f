export { run, readTable, EXIT, type Io } from "./run.js";
export { readXlsx } from "./readXlsx.js";
export { writeXlsx, buildWorkbook } from "./writeXlsx.js";
