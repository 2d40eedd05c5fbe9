using System.Globalization;
using Annotate.Annotators.Documents;
using ClosedXML.Excel;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>Reads a small workbook whole with ClosedXML and lays its sheets out with <see cref="SheetLayout"/>.</summary>
internal static class ClosedXmlWorkbookLoader
{
    /// <summary>
    /// Why ClosedXML 0.95 would misread the workbook without throwing, or null: it clears the cells under a pivot table
    /// while loading it, and mistypes cells when the package has no stylesheet. Only the relationship parts
    /// are read to tell; when even they cannot be read, ClosedXML is left to try.
    /// </summary>
    public static string? Misreads(DocumentSource source, ReaderOptions options)
    {
        try
        {
            using var package = new WorkbookPackage(source, options);
            var workbook = package.Relationships(string.Empty).FirstOrDefault(r => r.Is("officeDocument"))?.Target ?? "xl/workbook.xml";
            var relationships = package.Relationships(workbook);
            if (relationships.Any(r => r.Is("pivotCacheDefinition")))
            {
                return "it holds a pivot table, whose cells ClosedXML clears while loading";
            }
            if (relationships.FirstOrDefault(r => r.Is("styles")) is not { } styles || !package.HasContent(styles.Target))
            {
                return "it has no stylesheet, without which ClosedXML 0.95 mistypes its cells";
            }
            return null;
        }
        catch (Exception ex) when (WorkbookErrors.IsReadFailure(ex))
        {
            return null;
        }
    }

    public static Document Load(DocumentSource source, CancellationToken cancellationToken)
    {
        using var stream = source.OpenRead();
        using var workbook = new XLWorkbook(stream, XLEventTracking.Disabled);
        var blocks = new List<Block>();
        var sheets = new List<SheetInfo>();
        long truncated = 0;
        foreach (var worksheet in workbook.Worksheets)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var description = new SheetDescription(
                worksheet.Name,
                worksheet.Position,
                worksheet.Visibility != XLWorksheetVisibility.Visible,
                worksheet.MergedRanges.Select(r => Range(r.RangeAddress)).OrderBy(r => r.FirstRow).ThenBy(r => r.FirstColumn).Select(r => r.ToString()).ToList(),
                worksheet.Tables.Select(Table).ToList());
            var rows = ReadRows(worksheet, ref truncated);
            var scan = new SheetScanner(description.Tables);
            rows.ForEach(scan.Add);
            sheets.Add(SheetLayout.Lay(description, scan, () => rows, streamed: false, blocks));
        }
        var properties = workbook.Properties;
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Xlsx,
            Blocks = blocks,
            Sheets = sheets,
            Notices = StreamingWorkbookLoader.TruncationNotices(source.FileName, truncated),
            Properties = new DocumentProperties
            {
                Title = NullIfEmpty(properties.Title),
                Author = NullIfEmpty(properties.Author),
                Subject = NullIfEmpty(properties.Subject),
                Keywords = NullIfEmpty(properties.Keywords),
                Created = properties.Created == default ? null : new DateTimeOffset(DateTime.SpecifyKind(properties.Created, DateTimeKind.Utc)),
                Modified = properties.Modified == default ? null : new DateTimeOffset(DateTime.SpecifyKind(properties.Modified, DateTimeKind.Utc)),
            },
        };
    }

    private static List<RawRow> ReadRows(IXLWorksheet worksheet, ref long truncated)
    {
        var rows = new List<RawRow>();
        var first = true;
        foreach (var row in worksheet.RowsUsed(XLCellsUsedOptions.Contents))
        {
            var cells = new List<RawCell>();
            foreach (var cell in row.CellsUsed(XLCellsUsedOptions.Contents))
            {
                var value = Value(cell);
                if (value.Kind == CellKind.Text && value.Text.Length > BoundedXmlText.MaxCellCharacters)
                {
                    // Cut as the streaming reader cuts, so both paths agree on what a cell holds.
                    value = value with { Text = value.Text[..BoundedXmlText.MaxCellCharacters] };
                    truncated++;
                }
                if (!value.IsEmpty)
                {
                    cells.Add(new RawCell(cell.Address.ColumnNumber, value, Bold: false));
                }
            }
            if (cells.Count == 0)
            {
                continue;
            }
            if (first)
            {
                // Boldness only matters for the first row (header detection) and reading a style is costly.
                cells = cells.Select(c => c with { Bold = worksheet.Cell(row.RowNumber(), c.Column).Style.Font.Bold }).ToList();
                first = false;
            }
            rows.Add(new RawRow(row.RowNumber(), cells.OrderBy(c => c.Column).ToList()));
        }
        return rows;
    }

    /// <summary>
    /// ClosedXML 0.95 types a formula's cached value as text; it is re-typed here the way the streaming reader
    /// types it from the XML, so both paths agree.
    /// </summary>
    private static CellValue Value(IXLCell cell)
    {
        if (cell.HasFormula)
        {
            var formula = cell.FormulaA1.TrimStart('=');
            return cell.CachedValue switch
            {
                bool b => CellValue.FromBoolean(b, formula),
                double d => Numeric(cell, d, formula),
                DateTime dt => Numeric(cell, dt.ToOADate(), formula),
                TimeSpan ts => Numeric(cell, ts.TotalDays, formula),
                string s when s.Length == 0 => CellValue.Empty with { Formula = formula },
                string s when SpreadsheetErrors.IsError(s) => CellValue.FromError(s, formula),
                string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => Numeric(cell, d, formula),
                var other => CellValue.FromText(Convert.ToString(other, CultureInfo.InvariantCulture)) with { Formula = formula },
            };
        }
        return cell.DataType switch
        {
            XLDataType.Boolean => CellValue.FromBoolean(cell.GetBoolean()),
            XLDataType.Number => Numeric(cell, cell.GetDouble(), null),
            XLDataType.DateTime => Numeric(cell, cell.GetDateTime().ToOADate(), null),
            XLDataType.TimeSpan => Numeric(cell, cell.GetTimeSpan().TotalDays, null),
            _ => CellValue.FromText(cell.GetString()),
        };
    }

    private static CellValue Numeric(IXLCell cell, double number, string? formula)
    {
        var format = cell.Style.NumberFormat;
        return NumberFormats.IsDate(format.NumberFormatId, format.Format) && OaDates.TryConvert(number, out var date)
            ? CellValue.FromDateTime(date, formula)
            : CellValue.FromNumber(number, formula);
    }

    private static ExcelTableDefinition Table(IXLTable table)
    {
        var address = Range(table.RangeAddress);
        return new ExcelTableDefinition(
            table.Name,
            address,
            table.ShowHeaderRow ? 1 : 0,
            table.ShowTotalsRow ? 1 : 0,
            table.Fields.OrderBy(f => f.Index).Select(f => f.Name).ToList());
    }

    private static CellRange Range(IXLRangeAddress address) =>
        new(address.FirstAddress.ColumnNumber, address.FirstAddress.RowNumber, address.LastAddress.ColumnNumber, address.LastAddress.RowNumber);

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
