using System.Globalization;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Writers.Xlsx;
using CsvHelper;

namespace Annotate.Annotators.Writers;

/// <summary>
/// Writes every table of a workbook or CSV as a clean CSV (RFC 4180, UTF-8 without BOM, comma, header row,
/// invariant numbers, ISO-8601 dates, <c>true</c>/<c>false</c>), streaming rows so a million-row sheet is fine.
/// Files are named <c>&lt;sheet&gt;.csv</c>, <c>&lt;sheet&gt;-&lt;table&gt;.csv</c> when a sheet has several tables, and
/// <c>data.csv</c> for a CSV source. The model's row fields, when a table has them, are appended as extra columns.
/// </summary>
public sealed class CsvTablesWriter : IOutputWriter
{
    private const string MediaType = "text/csv";

    /// <inheritdoc />
    public string Kind => "csv";

    /// <inheritdoc />
    public bool RunsAlongside => true;

    /// <inheritdoc />
    public bool AppliesTo(Document document) => document.Format is SourceFormat.Xlsx or SourceFormat.Csv;

    /// <inheritdoc />
    /// <remarks>Only the model's row fields, which a profile asks for by name, come from the annotations.</remarks>
    public bool NeedsAnnotations(AnnotationProfile profile) => profile.RowFields.Count > 0;

    /// <inheritdoc />
    public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        var tables = context.Document.Blocks
            .Select((block, index) => (Table: block as TableBlock, Index: index))
            .Where(t => t.Table is not null)
            .ToList();
        var perSheet = tables.GroupBy(t => t.Table!.Location.Sheet ?? string.Empty).ToDictionary(g => g.Key, g => g.Count());
        var rowAnnotations = context.Annotations.Rows;
        var names = new OutputFileNames();
        var outputs = new List<WrittenOutput>();
        foreach (var (table, index) in tables)
        {
            var name = names.Next(Stem(context.Document, table!, perSheet), ".csv");
            var extra = rowAnnotations?.Tables.FirstOrDefault(t => t.Block == index && t.Rows.Count > 0);
            await WriteTableAsync(Path.Combine(context.OutputDirectory, name), table!, extra is null ? [] : rowAnnotations!.Fields, extra, cancellationToken).ConfigureAwait(false);
            if (extra is not null)
            {
                extra.CsvFile = name;
            }
            outputs.Add(WrittenOutput.For(context.OutputDirectory, name, Kind, MediaType));
        }
        return outputs;
    }

    private static string Stem(Document document, TableBlock table, Dictionary<string, int> perSheet)
    {
        if (document.Format == SourceFormat.Csv || table.Location.Sheet is null)
        {
            return "data";
        }
        var sheet = table.Location.Sheet;
        return perSheet[sheet] > 1 ? sheet + "-" + (table.Name ?? "table") : sheet;
    }

    /// <summary>How every CSV output is written; a reviewed CSV is written the same way.</summary>
    internal static CsvWriterOptions Options { get; } = new()
    {
        Mode = CsvMode.Rfc4180,
        Separator = ',',
        NewLine = "\r\n",
        // Leading/trailing spaces are quoted too, so readers that trim unquoted fields keep them.
        Quoting = CsvQuoting.WhenNeededOrWhitespace,
        WriteByteOrderMark = false,
        FormatProvider = CultureInfo.InvariantCulture,
        // The CSV is the data as found; spreadsheet-injection escaping would change values.
        Injection = CsvInjection.None,
    };

    private static async Task WriteTableAsync(string path, TableBlock table, IReadOnlyList<string> fields, TableRowAnnotations? rowValues, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        await using var csv = CsvWriter.Create(stream, Options, false);
        foreach (var column in table.Columns)
        {
            csv.WriteField(column);
        }
        // The model's row fields, when it annotated this table, follow as extra columns.
        foreach (var field in fields)
        {
            csv.WriteField(field);
        }
        await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        var record = -1L;
        // Numbers and dates are rendered into this buffer rather than into a string per cell.
        var rendered = new char[CellValue.MaxDerivedTextLength];
        // A long table's rows are decoded on the other core while this one formats and writes them.
        foreach (var row in ScanAhead.Rows(table.Rows, table.Columns.Count))
        {
            record++;
            for (var c = 0; c < table.Columns.Count; c++)
            {
                csv.WriteField(c < row.Cells.Count ? Format(row.Cells[c], rendered) : []);
            }
            if (fields.Count > 0)
            {
                var values = rowValues!.Rows.GetValueOrDefault(row.Number);
                if (values is not null)
                {
                    rowValues.CsvRecords[row.Number] = record;
                }
                foreach (var field in fields)
                {
                    csv.WriteField(values is not null && values.TryGetValue(field, out var value) ? value ?? string.Empty : string.Empty);
                }
            }
            await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        }
        await csv.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value as a CSV field: <see cref="CellValue.Text"/> is already invariant and ISO-8601; booleans are lower-case.</summary>
    internal static ReadOnlySpan<char> Format(CellValue cell, Span<char> buffer) => cell.Kind switch
    {
        CellKind.Empty => [],
        CellKind.Boolean => cell.Boolean == true ? "true" : "false",
        _ => cell.GetText(buffer),
    };
}
