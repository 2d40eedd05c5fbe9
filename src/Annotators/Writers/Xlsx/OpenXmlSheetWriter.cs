using Annotate.Annotators.Documents;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>Style indexes (into <c>cellXfs</c>) the streaming writer uses.</summary>
internal sealed record SheetStyles(uint Bold, uint Date, uint DateTime);

/// <summary>
/// Writes generated worksheets as they stream (<see cref="SheetXmlWriter"/>), so neither the Annotations sheet nor a
/// million-row Data sheet is built in memory, and the styles they use. Text goes in inline strings, which leaves the
/// workbook's shared-string table untouched.
/// </summary>
internal static class OpenXmlSheetWriter
{
    /// <summary>The most rows an Excel sheet has.</summary>
    public const long MaxRows = 1_048_576;

    /// <summary>
    /// Writes the part XML of the Annotations sheet named <paramref name="sheet"/> to <paramref name="stream"/> (a ZIP
    /// entry written as it streams); text passes through <paramref name="cleaner"/>.
    /// </summary>
    public static void WriteAnnotations(Stream stream, AnnotationSheetContent content, SheetStyles styles, XmlTextCleaner cleaner, string sheet)
    {
        using var writer = new SheetXmlWriter(stream);
        writer.FrozenRows(content.FrozenRows);
        writer.Columns(content.ColumnWidths);
        writer.StartSheetData();
        for (var r = 0; r < content.Rows.Count; r++)
        {
            var row = content.Rows[r];
            var style = row.Style == SheetRowStyle.Normal ? 0u : styles.Bold;
            writer.StartRow(r + 1);
            for (var c = 0; c < row.Cells.Count; c++)
            {
                switch (row.Cells[c])
                {
                    case null:
                        break;
                    case double d:
                        writer.Number(c + 1, d, style);
                        break;
                    case long l:
                        writer.Number(c + 1, l, style);
                        break;
                    case bool b:
                        writer.Boolean(c + 1, b, style);
                        break;
                    case var other:
                        writer.Text(c + 1, cleaner.Clean(AnnotationSheetContent.Render(other), sheet, writer, c + 1), style);
                        break;
                }
            }
            writer.EndRow();
        }
        writer.Finish();
    }

    /// <summary>
    /// Writes a table's header and typed rows at their own row numbers, with the row-annotation columns of
    /// <paramref name="rowColumns"/> (placed) after each row's cells into sheet <paramref name="sheet"/>; returns the data
    /// rows written, as the worksheet's part XML to <paramref name="stream"/> (a ZIP entry written as it streams). Text
    /// passes through <paramref name="cleaner"/>.
    /// </summary>
    public static long WriteTable(Stream stream, TableBlock table, SheetStyles styles, XmlTextCleaner cleaner, string sheet, CancellationToken cancellationToken, out bool truncated, RowColumns? rowColumns = null)
    {
        var extra = rowColumns is { Placed: true }
            ? rowColumns.Cells().GroupBy(c => c.Row).ToDictionary(g => g.Key, g => g.ToList())
            : [];
        truncated = false;
        long written = 0;
        using var writer = new SheetXmlWriter(stream);
        var headerRow = table.HasHeaderRow ? Math.Max(1, table.FirstRow) : 0;
        writer.FrozenRows((int)headerRow);
        writer.StartSheetData();
        if (headerRow > 0)
        {
            writer.StartRow(headerRow);
            for (var c = 0; c < table.Columns.Count; c++)
            {
                writer.Text(table.FirstColumn + c, cleaner.Clean(table.Columns[c], sheet, writer, table.FirstColumn + c), styles.Bold);
            }
            WriteExtra(writer, extra, headerRow, styles);
            writer.EndRow();
        }
        var last = headerRow;
        foreach (var row in table.Rows.Scan())
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
            writer.StartRow(number);
            for (var c = 0; c < row.Cells.Count; c++)
            {
                var cell = row.Cells[c];
                var column = table.FirstColumn + c;
                switch (cell.Kind)
                {
                    case CellKind.Empty:
                        break;
                    case CellKind.Number when cell.Number is { } n:
                        writer.Number(column, n, 0);
                        break;
                    case CellKind.DateTime when cell.DateTime is { } date:
                        writer.Number(column, date.ToOADate(), date.TimeOfDay == TimeSpan.Zero ? styles.Date : styles.DateTime);
                        break;
                    case CellKind.Boolean when cell.Boolean is { } b:
                        writer.Boolean(column, b, 0);
                        break;
                    case CellKind.Error:
                        writer.Error(column, cleaner.Clean(cell.Text, sheet, writer, column));
                        break;
                    default:
                        if (!cell.IsEmpty)
                        {
                            writer.Text(column, cleaner.Clean(cell.Text, sheet, writer, column), 0);
                        }
                        break;
                }
            }
            WriteExtra(writer, extra, row.Number, styles);
            writer.EndRow();
            last = number;
        }
        writer.Finish();
        return written - (truncated ? 1 : 0);
    }

    private static void WriteExtra(SheetXmlWriter writer, Dictionary<long, List<RowColumnCell>> extra, long sourceRow, SheetStyles styles)
    {
        if (!extra.TryGetValue(sourceRow, out var cells))
        {
            return;
        }
        foreach (var cell in cells)
        {
            writer.Text(cell.Column, cell.Text, cell.Header ? styles.Bold : 0);
        }
    }

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
