import type ExcelJS from "exceljs";

/**
 * The workbook library, loaded the first time a command reads or writes an .xlsx file: the other
 * commands start without it (it is most of the command's code).
 */
export async function loadExcelJs(): Promise<typeof ExcelJS> {
  return (await import("exceljs")).default;
}
