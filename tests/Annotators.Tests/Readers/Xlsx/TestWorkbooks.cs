using ClosedXML.Excel;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

/// <summary>Generates the workbooks the reader and writer tests need.</summary>
public static class TestWorkbooks
{
    /// <summary>A business-like workbook: a ledger with a bold header, dates, booleans, a merged title, a hidden sheet and a sheet without header.</summary>
    public static void Ledger(string path)
    {
        using var workbook = new XLWorkbook();
        var ledger = workbook.AddWorksheet("Ledger");
        ledger.Cell("A1").Value = "Date";
        ledger.Cell("B1").Value = "Customer";
        ledger.Cell("C1").Value = "Amount";
        ledger.Cell("D1").Value = "Paid";
        ledger.Cell("E1").Value = "Customer";
        ledger.Range("A1:F1").Style.Font.Bold = true;
        ledger.Cell("A2").Value = new DateTime(2024, 3, 1);
        ledger.Cell("B2").Value = "Acme GmbH";
        ledger.Cell("C2").Value = 1250.5;
        ledger.Cell("D2").Value = true;
        ledger.Cell("E2").Value = "anna@example.com";
        ledger.Cell("A3").Value = new DateTime(2024, 3, 2, 14, 30, 0);
        ledger.Cell("B3").Value = "Globex";
        ledger.Cell("C3").Value = -20;
        ledger.Cell("D3").Value = false;
        ledger.Cell("F3").Value = "note";
        ledger.Cell("B5").Value = "Merged note";
        ledger.Range("B5:C5").Merge();

        var hidden = workbook.AddWorksheet("Secret");
        hidden.Cell("A1").Value = "Key";
        hidden.Cell("B1").Value = "Value";
        hidden.Cell("A2").Value = "k";
        hidden.Cell("B2").Value = 7;
        hidden.Visibility = XLWorksheetVisibility.Hidden;

        var raw = workbook.AddWorksheet("Raw");
        raw.Cell("B2").Value = "alpha";
        raw.Cell("C2").Value = "beta";
        raw.Cell("B3").Value = "gamma";
        raw.Cell("C3").Value = "delta";

        workbook.AddWorksheet("Empty");
        workbook.SaveAs(path);
    }

    /// <summary>
    /// A workbook written at the XML level, with what ClosedXML does not write: cached formula values,
    /// errors, inline and rich shared strings, a custom date format and a time format.
    /// </summary>
    public static void Formulas(string path)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        workbookPart.Workbook = new Workbook();
        var styles = workbookPart.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new Stylesheet(
            new NumberingFormats(
                new NumberingFormat { NumberFormatId = 164, FormatCode = "dd/mm/yyyy hh:mm" },
                new NumberingFormat { NumberFormatId = 165, FormatCode = "#,##0.00 \"days\"" }),
            new Fonts(new Font(), new Font(new Bold())),
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
            new Borders(new Border()),
            new CellFormats(
                new CellFormat(),
                new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true },
                new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
                new CellFormat { NumberFormatId = 165, ApplyNumberFormat = true },
                new CellFormat { FontId = 1, ApplyFont = true },
                new CellFormat { NumberFormatId = 20, ApplyNumberFormat = true }));
        var shared = workbookPart.AddNewPart<SharedStringTablePart>();
        shared.SharedStringTable = new SharedStringTable(
            new SharedStringItem(new DocumentFormat.OpenXml.Spreadsheet.Text("Item")),
            new SharedStringItem(new Run(new DocumentFormat.OpenXml.Spreadsheet.Text("Rich ")), new Run(new RunProperties(new Bold()), new DocumentFormat.OpenXml.Spreadsheet.Text("text"))));

        var sheetData = new SheetData();
        sheetData.Append(
            Row(1, Inline("A1", "Item", 4), Inline("B1", "Value", 4)),
            Row(2, Shared("A2", 0), new Cell { CellReference = "B2", CellFormula = new CellFormula("1/0"), DataType = CellValues.Error, CellValue = new CellValue("#DIV/0!") }),
            Row(3, Inline("A3", "sum"), new Cell { CellReference = "B3", CellFormula = new CellFormula("2+3"), CellValue = new CellValue("5") }),
            Row(4, Inline("A4", "date"), new Cell { CellReference = "B4", CellFormula = new CellFormula("DATE(2020,1,2)"), StyleIndex = 1, CellValue = new CellValue("43832") }),
            Row(5, Inline("A5", "concat"), new Cell { CellReference = "B5", CellFormula = new CellFormula("\"ab\"&\"c\""), DataType = CellValues.String, CellValue = new CellValue("abc") }),
            Row(6, Inline("A6", "truth"), new Cell { CellReference = "B6", CellFormula = new CellFormula("1=1"), DataType = CellValues.Boolean, CellValue = new CellValue("1") }),
            Row(7, Inline("A7", "stamp"), new Cell { CellReference = "B7", StyleIndex = 2, CellValue = new CellValue("43832.5") }),
            Row(8, Inline("A8", "duration"), new Cell { CellReference = "B8", StyleIndex = 3, CellValue = new CellValue("12.5") }),
            Row(9, Inline("A9", "time"), new Cell { CellReference = "B9", StyleIndex = 5, CellValue = new CellValue("0.75") }),
            Row(10, Shared("A10", 1), new Cell { CellReference = "B10", CellFormula = new CellFormula("B3*2") }));
        var worksheetPart = workbookPart.AddNewPart<WorksheetPart>();
        worksheetPart.Worksheet = new Worksheet(sheetData);
        workbookPart.Workbook.AppendChild(new Sheets(new Sheet { Name = "Calc", SheetId = 1, Id = workbookPart.GetIdOfPart(worksheetPart) }));
    }

    /// <summary>A single-sheet workbook whose cells are given row by row (strings, numbers, booleans, dates).</summary>
    public static void FromRows(string path, string sheetName, params object?[][] rows)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet(sheetName);
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < rows[r].Length; c++)
            {
                if (rows[r][c] is { } value)
                {
                    sheet.Cell(r + 1, c + 1).Value = value;
                }
            }
        }
        workbook.SaveAs(path);
    }

    /// <summary>Streams a large sheet with <see cref="OpenXmlWriter"/>: row i holds i, "row i" and i/2.</summary>
    public static void Large(string path, int rows)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        workbookPart.Workbook = new Workbook();
        var worksheetPart = workbookPart.AddNewPart<WorksheetPart>();
        using (var writer = OpenXmlWriter.Create(worksheetPart))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteStartElement(new SheetData());
            WriteRow(writer, 1, "Id", "Label", "Half");
            for (var i = 1; i <= rows; i++)
            {
                var number = i + 1;
                writer.WriteStartElement(new Row { RowIndex = (uint)number });
                writer.WriteElement(new Cell { CellReference = "A" + number, CellValue = new CellValue(i.ToString(System.Globalization.CultureInfo.InvariantCulture)) });
                writer.WriteElement(new Cell { CellReference = "B" + number, DataType = CellValues.InlineString, InlineString = new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text("row " + i)) });
                writer.WriteElement(new Cell { CellReference = "C" + number, CellValue = new CellValue((i / 2.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture)) });
                writer.WriteEndElement();
            }
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
        workbookPart.Workbook.AppendChild(new Sheets(new Sheet { Name = "Big", SheetId = 1, Id = workbookPart.GetIdOfPart(worksheetPart) }));
    }

    private static void WriteRow(OpenXmlWriter writer, uint number, params string[] texts)
    {
        writer.WriteStartElement(new Row { RowIndex = number });
        for (var i = 0; i < texts.Length; i++)
        {
            writer.WriteElement(Inline(Documents.CellReferences.ColumnName(i + 1) + number, texts[i]));
        }
        writer.WriteEndElement();
    }

    private static Row Row(uint number, params Cell[] cells)
    {
        var row = new Row { RowIndex = number };
        row.Append(cells);
        return row;
    }

    private static Cell Inline(string reference, string text, uint style = 0) =>
        new() { CellReference = reference, DataType = CellValues.InlineString, StyleIndex = style, InlineString = new InlineString(new DocumentFormat.OpenXml.Spreadsheet.Text(text)) };

    private static Cell Shared(string reference, int index) =>
        new() { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(index.ToString(System.Globalization.CultureInfo.InvariantCulture)) };
}
