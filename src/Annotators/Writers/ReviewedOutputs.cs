using System.IO.Compression;
using Annotate.Annotators.Writers.Xlsx;
using CsvHelper;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Annotate.Annotators.Writers;

/// <summary>A reviewed value for one cell of <c>annotated.xlsx</c>: 1-based sheet row and column.</summary>
/// <param name="Row">Sheet row.</param>
/// <param name="Column">Sheet column.</param>
/// <param name="Text">The value to write, as text.</param>
public readonly record struct ReviewedCell(long Row, int Column, string Text);

/// <summary>
/// Copies the outputs the writers made (<c>annotated.xlsx</c>, the CSVs) with a reviewer's values written over the
/// model's row fields. The originals are only read, and streamed: a big workbook or CSV is never held whole.
/// </summary>
public static class ReviewedOutputs
{
    private static readonly CsvReaderOptions CsvOptions = new()
    {
        Separator = ',',
        HasHeader = false,
        Mode = CsvMode.Rfc4180,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Allow,
        // A one-column table's empty cell is an empty line: it is a record, and counts.
        SkipEmptyLines = false,
        DetectSeparatorHint = false,
        IncludeValuesInExceptions = false,
    };

    /// <summary>
    /// Copies a CSV output written by <see cref="CsvTablesWriter"/> with <paramref name="values"/> (by 0-based data
    /// record after the header, then by 0-based row field) written into its last <paramref name="fieldCount"/> columns,
    /// where that writer puts the row fields.
    /// </summary>
    public static void CopyCsv(Stream original, Stream reviewed, int fieldCount, IReadOnlyDictionary<long, IReadOnlyDictionary<int, string>> values, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(fieldCount);
        using var reader = CsvReader.Create(original, CsvOptions, true);
        using var writer = CsvWriter.Create(reviewed, CsvTablesWriter.Options, true);
        var record = -1L;
        while (reader.Read())
        {
            if (record % 10_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var fields = reader.Current.ToArray();
            if (record >= 0 && values.TryGetValue(record, out var corrected))
            {
                foreach (var (field, text) in corrected)
                {
                    var column = fields.Length - fieldCount + field;
                    if (field >= 0 && field < fieldCount && column >= 0)
                    {
                        fields[column] = text;
                    }
                }
            }
            foreach (var field in fields)
            {
                writer.WriteField(field);
            }
            writer.EndRecord();
            record++;
        }
    }

    /// <summary>
    /// Copies <c>annotated.xlsx</c> at <paramref name="original"/> (a file: a zip is read by seeking) into
    /// <paramref name="reviewed"/>, with <paramref name="cells"/> (by sheet name) written over the cells of the same
    /// reference as text. Worksheets without corrections, and every other part, are copied as they are.
    /// </summary>
    public static void CopyWorkbook(string original, Stream reviewed, IReadOnlyDictionary<string, IReadOnlyList<ReviewedCell>> cells, CancellationToken cancellationToken)
    {
        var byEntry = new Dictionary<string, IReadOnlyList<ReviewedCell>>(StringComparer.Ordinal);
        using (var package = SpreadsheetDocument.Open(original, isEditable: false))
        {
            var workbookPart = package.WorkbookPart;
            foreach (var sheet in workbookPart?.Workbook.Sheets?.Elements<Sheet>() ?? [])
            {
                if (sheet.Name?.Value is { } name && cells.TryGetValue(name, out var sheetCells) && sheet.Id?.Value is { } id
                    && workbookPart!.GetPartById(id) is WorksheetPart part)
                {
                    byEntry[part.Uri.OriginalString.TrimStart('/')] = sheetCells;
                }
            }
        }
        Func<string, Action<Stream, Stream>?> rewriteOf = name =>
            byEntry.TryGetValue(name, out var sheetCells) || byEntry.TryGetValue(Uri.UnescapeDataString(name), out sheetCells)
                ? (from, to) => StreamingRowColumns.Replace(from, to, sheetCells.Select(c => new RowColumnCell(c.Row, c.Column, RowColumns.CellText(c.Text), Header: false)), cancellationToken)
                : null;
        // Sheets without corrections (a large workbook's data, tens of MB) go across as their compressed bytes.
        if (StreamingRowColumns.TryCopyRaw(original, reviewed, rewriteOf, cancellationToken))
        {
            return;
        }
        using var source = ZipFile.OpenRead(original);
        using var target = new ZipArchive(reviewed, ZipArchiveMode.Create, leaveOpen: true);
        StreamingRowColumns.CopyPackage(source, target, rewriteOf, cancellationToken);
    }
}
