using System.Globalization;
using Annotate.Annotators.Documents;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using CellValue = DocumentFormat.OpenXml.Spreadsheet.CellValue;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>Style indexes (into <c>cellXfs</c>) the streaming writer uses.</summary>
internal sealed record SheetStyles(uint Bold, uint Date, uint DateTime);

/// <summary>
/// Writes worksheets with the OpenXml SDK's <see cref="OpenXmlWriter"/>, element by element, so neither the
/// Annotations sheet nor a million-row Data sheet is built in memory. Text goes in inline strings, which
/// leaves the workbook's shared-string table untouched.
/// </summary>
internal static class OpenXmlSheetWriter
{
    /// <summary>The most rows an Excel sheet has.</summary>
    public const long MaxRows = 1_048_576;

    /// <summary>Writes the Annotations sheet named <paramref name="sheet"/>; text passes through <paramref name="cleaner"/>.</summary>
    public static void WriteAnnotations(WorksheetPart part, AnnotationSheetContent content, SheetStyles styles, XmlTextCleaner cleaner, string sheet)
    {
        using var writer = OpenXmlWriter.Create(part);
        WriteAnnotations(writer, content, styles, cleaner, sheet);
    }

    /// <summary>Writes the Annotations sheet's part XML to <paramref name="stream"/> (a ZIP entry written as it streams).</summary>
    public static void WriteAnnotations(Stream stream, AnnotationSheetContent content, SheetStyles styles, XmlTextCleaner cleaner, string sheet)
    {
        using var writer = OpenXmlWriter.Create(stream, new System.Text.UTF8Encoding(false));
        WriteAnnotations(writer, content, styles, cleaner, sheet);
    }

    private static void WriteAnnotations(OpenXmlWriter writer, AnnotationSheetContent content, SheetStyles styles, XmlTextCleaner cleaner, string sheet)
    {
        writer.WriteStartElement(new Worksheet());
        WriteFrozenView(writer, content.FrozenRows);
        writer.WriteStartElement(new Columns());
        for (var c = 0; c < content.ColumnWidths.Count; c++)
        {
            writer.WriteElement(new Column { Min = (uint)(c + 1), Max = (uint)(c + 1), Width = content.ColumnWidths[c], CustomWidth = true });
        }
        writer.WriteEndElement();
        writer.WriteStartElement(new SheetData());
        for (var r = 0; r < content.Rows.Count; r++)
        {
            var row = content.Rows[r];
            var style = row.Style == SheetRowStyle.Normal ? 0u : styles.Bold;
            writer.WriteStartElement(new Row { RowIndex = (uint)(r + 1) });
            for (var c = 0; c < row.Cells.Count; c++)
            {
                var reference = CellReferences.ColumnName(c + 1) + (r + 1).ToString(CultureInfo.InvariantCulture);
                switch (row.Cells[c])
                {
                    case null:
                        break;
                    case double d:
                        writer.WriteElement(NumberCell(reference, d, style));
                        break;
                    case long l:
                        writer.WriteElement(NumberCell(reference, l, style));
                        break;
                    case bool b:
                        writer.WriteElement(new Cell { CellReference = reference, DataType = CellValues.Boolean, StyleIndex = style, CellValue = new CellValue(b ? "1" : "0") });
                        break;
                    case var other:
                        writer.WriteElement(TextCell(reference, cleaner.Clean(AnnotationSheetContent.Render(other), sheet, reference), style));
                        break;
                }
            }
            writer.WriteEndElement();
        }
        writer.WriteEndElement();
        writer.WriteEndElement();
    }

    /// <summary>
    /// Writes a table's header and typed rows at their own row numbers, with the row-annotation columns of
    /// <paramref name="rowColumns"/> (placed) after each row's cells into sheet <paramref name="sheet"/>; returns the data
    /// rows written. Text passes through <paramref name="cleaner"/>.
    /// </summary>
    public static long WriteTable(WorksheetPart part, TableBlock table, SheetStyles styles, XmlTextCleaner cleaner, string sheet, CancellationToken cancellationToken, out bool truncated, RowColumns? rowColumns = null)
    {
        var extra = rowColumns is { Placed: true }
            ? rowColumns.Cells().GroupBy(c => c.Row).ToDictionary(g => g.Key, g => g.ToList())
            : [];
        truncated = false;
        long written = 0;
        using var writer = OpenXmlWriter.Create(part);
        writer.WriteStartElement(new Worksheet());
        var headerRow = table.HasHeaderRow ? Math.Max(1, table.FirstRow) : 0;
        if (headerRow > 0)
        {
            WriteFrozenView(writer, (int)headerRow);
        }
        writer.WriteStartElement(new SheetData());
        if (headerRow > 0)
        {
            writer.WriteStartElement(new Row { RowIndex = (uint)headerRow });
            for (var c = 0; c < table.Columns.Count; c++)
            {
                var reference = Reference(table, c, headerRow);
                writer.WriteElement(TextCell(reference, cleaner.Clean(table.Columns[c], sheet, reference), styles.Bold));
            }
            WriteExtra(writer, extra, headerRow, headerRow, styles);
            writer.WriteEndElement();
        }
        var last = headerRow;
        foreach (var row in table.Rows)
        {
            // Keep each row at its source row number so cell references in the findings point at it.
            var number = Math.Max(row.Number, last + 1);
            if (number > MaxRows)
            {
                truncated = true;
                break;
            }
            if (++written % 10_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            writer.WriteStartElement(new Row { RowIndex = (uint)number });
            for (var c = 0; c < row.Cells.Count; c++)
            {
                var cell = row.Cells[c];
                var reference = Reference(table, c, number);
                switch (cell.Kind)
                {
                    case CellKind.Empty:
                        break;
                    case CellKind.Number when cell.Number is { } n:
                        writer.WriteElement(NumberCell(reference, n, 0));
                        break;
                    case CellKind.DateTime when cell.DateTime is { } date:
                        writer.WriteElement(NumberCell(reference, date.ToOADate(), date.TimeOfDay == TimeSpan.Zero ? styles.Date : styles.DateTime));
                        break;
                    case CellKind.Boolean when cell.Boolean is { } b:
                        writer.WriteElement(new Cell { CellReference = reference, DataType = CellValues.Boolean, CellValue = new CellValue(b ? "1" : "0") });
                        break;
                    case CellKind.Error:
                        writer.WriteElement(new Cell { CellReference = reference, DataType = CellValues.Error, CellValue = new CellValue(cleaner.Clean(cell.Text, sheet, reference)) });
                        break;
                    default:
                        if (!cell.IsEmpty)
                        {
                            writer.WriteElement(TextCell(reference, cleaner.Clean(cell.Text, sheet, reference), 0));
                        }
                        break;
                }
            }
            WriteExtra(writer, extra, row.Number, number, styles);
            writer.WriteEndElement();
            last = number;
        }
        writer.WriteEndElement();
        writer.WriteEndElement();
        return written - (truncated ? 1 : 0);
    }

    private static string Reference(TableBlock table, int columnIndex, long row) => table.CellReference(columnIndex, row);

    private static void WriteExtra(OpenXmlWriter writer, Dictionary<long, List<RowColumnCell>> extra, long sourceRow, long sheetRow, SheetStyles styles)
    {
        if (!extra.TryGetValue(sourceRow, out var cells))
        {
            return;
        }
        foreach (var cell in cells)
        {
            var reference = CellReferences.ColumnName(cell.Column) + sheetRow.ToString(CultureInfo.InvariantCulture);
            writer.WriteElement(TextCell(reference, cell.Text, cell.Header ? styles.Bold : 0));
        }
    }

    private static void WriteFrozenView(OpenXmlWriter writer, int frozenRows)
    {
        if (frozenRows <= 0)
        {
            return;
        }
        var topLeft = "A" + (frozenRows + 1).ToString(CultureInfo.InvariantCulture);
        writer.WriteElement(new SheetViews(new SheetView(
            new Pane { VerticalSplit = frozenRows, TopLeftCell = topLeft, ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen },
            new Selection { Pane = PaneValues.BottomLeft, ActiveCell = topLeft, SequenceOfReferences = new ListValue<StringValue> { InnerText = topLeft } })
        { WorkbookViewId = 0 }));
    }

    private static Cell NumberCell(string reference, double value, uint style) =>
        new() { CellReference = reference, StyleIndex = style == 0 ? null : style, CellValue = new CellValue(value.ToString("R", CultureInfo.InvariantCulture)) };

    /// <summary>An inline-string cell; <paramref name="text"/> must already be free of characters XML cannot hold.</summary>
    private static Cell TextCell(string reference, string text, uint style) =>
        new()
        {
            CellReference = reference,
            DataType = CellValues.InlineString,
            StyleIndex = style == 0 ? null : style,
            InlineString = new InlineString(new Text(AnnotationSheetContent.Fit(text)) { Space = SpaceProcessingModeValues.Preserve }),
        };

    /// <summary>Adds a bold font and bold, date and date-time cell formats to a stylesheet, creating it when missing.</summary>
    public static SheetStyles EnsureStyles(WorkbookPart workbookPart)
    {
        var part = workbookPart.WorkbookStylesPart ?? workbookPart.AddNewPart<WorkbookStylesPart>();
        var stylesheet = part.Stylesheet ??= new Stylesheet();
        var fonts = stylesheet.Fonts ??= new Fonts(new Font());
        if (!fonts.Elements<Font>().Any())
        {
            fonts.AppendChild(new Font());
        }
        fonts.AppendChild(new Font(new Bold()));
        var boldFont = (uint)fonts.Elements<Font>().Count() - 1;
        fonts.Count = (uint)fonts.Elements<Font>().Count();
        if (stylesheet.Fills is null)
        {
            stylesheet.Fills = new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 }));
        }
        if (stylesheet.Borders is null)
        {
            stylesheet.Borders = new Borders(new Border());
        }
        var formats = stylesheet.CellFormats ??= new CellFormats(new CellFormat());
        if (!formats.Elements<CellFormat>().Any())
        {
            formats.AppendChild(new CellFormat());
        }
        uint Add(CellFormat format)
        {
            formats.AppendChild(format);
            return (uint)formats.Elements<CellFormat>().Count() - 1;
        }
        var bold = Add(new CellFormat { FontId = boldFont, ApplyFont = true });
        var date = Add(new CellFormat { NumberFormatId = 14, ApplyNumberFormat = true });
        var dateTime = Add(new CellFormat { NumberFormatId = 22, ApplyNumberFormat = true });
        formats.Count = (uint)formats.Elements<CellFormat>().Count();
        EnsureOrder(stylesheet);
        part.Stylesheet.Save();
        return new SheetStyles(bold, date, dateTime);
    }

    /// <summary>The schema fixes the order of a stylesheet's children; parts created above may have been appended out of order.</summary>
    private static void EnsureOrder(Stylesheet stylesheet)
    {
        var order = new[] { typeof(NumberingFormats), typeof(Fonts), typeof(Fills), typeof(Borders), typeof(CellStyleFormats), typeof(CellFormats) };
        var known = stylesheet.ChildElements.Where(e => order.Contains(e.GetType())).ToList();
        var sorted = known.OrderBy(e => Array.IndexOf(order, e.GetType())).ToList();
        if (known.SequenceEqual(sorted))
        {
            return;
        }
        foreach (var element in known)
        {
            element.Remove();
        }
        for (var i = sorted.Count - 1; i >= 0; i--)
        {
            stylesheet.PrependChild(sorted[i]);
        }
    }
}
