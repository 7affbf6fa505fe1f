export { run, readTable, EXIT, type Io } from "./run.js";
