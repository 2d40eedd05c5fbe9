using System.Globalization;
using Annotate.Annotators.Documents;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using CellValue = DocumentFormat.OpenXml.Spreadsheet.CellValue;
using SharedStringTable = DocumentFormat.OpenXml.Spreadsheet.SharedStringTable;

namespace Annotate.Annotators.Pipeline;

/// <summary>
/// A generated ledger of any length: ten columns of text (shared strings, as Excel writes them: eight names, a thousand
/// items, five thousand e-mail addresses, a note unique to each row), integers, decimals, dates and booleans under a
/// bold header row. The engine's warm-up reads one large enough to run the code a large workbook runs; the benchmarks
/// read the same shape.
/// </summary>
internal static class SampleWorkbook
{
    /// <summary>Columns of every row.</summary>
    internal const int Columns = 10;

    /// <summary>Streams a workbook of <paramref name="rows"/> rows (and the header) to <paramref name="path"/>.</summary>
    internal static void Write(string path, int rows)
    {
        using var document = SpreadsheetDocument.Create(path, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        workbookPart.Workbook = new Workbook();
        var styles = workbookPart.AddNewPart<WorkbookStylesPart>();
        styles.Stylesheet = new Stylesheet(
            new Fonts(new Font(), new Font(new Bold())),
            new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })),
            new Borders(new Border()),
            new CellFormats(new CellFormat(), new CellFormat { FontId = 1, ApplyFont = true }, new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true }));
        var part = workbookPart.AddNewPart<WorksheetPart>();
        var random = new Random(42);
        var start = new DateTime(2020, 1, 1);
        string[] names = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"];
        var strings = new Dictionary<string, int>(StringComparer.Ordinal);
        Cell Text(string reference, string text, uint style)
        {
            if (!strings.TryGetValue(text, out var index))
            {
                index = strings.Count;
                strings.Add(text, index);
            }
            return new Cell
            {
                CellReference = reference,
                DataType = CellValues.SharedString,
                StyleIndex = style == 0 ? null : style,
                CellValue = new CellValue(index.ToString(CultureInfo.InvariantCulture)),
            };
        }
        using (var writer = OpenXmlWriter.Create(part))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteStartElement(new SheetData());
            writer.WriteStartElement(new Row { RowIndex = 1 });
            for (var c = 0; c < Columns; c++)
            {
                writer.WriteElement(Text(Ref(c, 1), "Column " + (c + 1).ToString(CultureInfo.InvariantCulture), 1));
            }
            writer.WriteEndElement();
            for (var r = 2; r <= rows + 1; r++)
            {
                writer.WriteStartElement(new Row { RowIndex = (uint)r });
                writer.WriteElement(Number(Ref(0, r), r - 1));
                writer.WriteElement(Text(Ref(1, r), names[random.Next(names.Length)], 0));
                writer.WriteElement(Number(Ref(2, r), Math.Round(random.NextDouble() * 10_000, 2)));
                writer.WriteElement(Number(Ref(3, r), start.AddDays(random.Next(2000)).ToOADate(), 2));
                writer.WriteElement(new Cell { CellReference = Ref(4, r), DataType = CellValues.Boolean, CellValue = new CellValue(random.Next(2) == 0 ? "0" : "1") });
                writer.WriteElement(Text(Ref(5, r), "Item " + random.Next(1000).ToString(CultureInfo.InvariantCulture), 0));
                writer.WriteElement(Number(Ref(6, r), random.Next(1, 100)));
                writer.WriteElement(Text(Ref(7, r), "user" + random.Next(5000).ToString(CultureInfo.InvariantCulture) + "@example.com", 0));
                writer.WriteElement(Number(Ref(8, r), random.NextDouble()));
                writer.WriteElement(Text(Ref(9, r), "Note for row " + r.ToString(CultureInfo.InvariantCulture), 0));
                writer.WriteEndElement();
            }
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
        var sharedPart = workbookPart.AddNewPart<SharedStringTablePart>();
        using (var writer = OpenXmlWriter.Create(sharedPart))
        {
            writer.WriteStartElement(new SharedStringTable());
            foreach (var text in strings.Keys)
            {
                writer.WriteElement(new SharedStringItem(new DocumentFormat.OpenXml.Spreadsheet.Text(text)));
            }
            writer.WriteEndElement();
        }
        workbookPart.Workbook.AppendChild(new Sheets(new Sheet { Name = "Data", SheetId = 1, Id = workbookPart.GetIdOfPart(part) }));
    }

    private static string Ref(int column, int row) => CellReferences.Reference(column + 1, row);

    private static Cell Number(string reference, double value, uint style = 0) =>
        new() { CellReference = reference, StyleIndex = style == 0 ? null : style, CellValue = new CellValue(value.ToString("R", CultureInfo.InvariantCulture)) };
}
