using System.Globalization;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Writers.Xlsx;
using CsvHelper;

namespace Annotate.Annotators.Writers;

/// <summary>
/// Writes every table of a workbook or CSV as a clean CSV (RFC 4180, UTF-8 without BOM, comma, header row,
/// invariant numbers, ISO-8601 dates, <c>true</c>/<c>false</c>), streaming rows so a million-row sheet is fine.
/// Files are named <c>&lt;sheet&gt;.csv</c>, <c>&lt;sheet&gt;-&lt;table&gt;.csv</c> when a sheet has several tables, and
/// <c>data.csv</c> for a CSV source.
/// </summary>
public sealed class CsvTablesWriter : IOutputWriter
{
    private const string MediaType = "text/csv";

    /// <inheritdoc />
    public string Kind => "csv";

    /// <inheritdoc />
    public bool AppliesTo(Document document) => document.Format is SourceFormat.Xlsx or SourceFormat.Csv;

    /// <inheritdoc />
    public async Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        var tables = context.Document.Blocks.OfType<TableBlock>().ToList();
        var perSheet = tables.GroupBy(t => t.Location.Sheet ?? string.Empty).ToDictionary(g => g.Key, g => g.Count());
        var names = new OutputFileNames();
        var outputs = new List<WrittenOutput>();
        foreach (var table in tables)
        {
            var name = names.Next(Stem(context.Document, table, perSheet), ".csv");
            await WriteTableAsync(Path.Combine(context.OutputDirectory, name), table, cancellationToken).ConfigureAwait(false);
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

    private static async Task WriteTableAsync(string path, TableBlock table, CancellationToken cancellationToken)
    {
        var options = new CsvWriterOptions
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
        await using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
        await using var csv = CsvWriter.Create(stream, options, false);
        foreach (var column in table.Columns)
        {
            csv.WriteField(column);
        }
        await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        foreach (var row in table.Rows)
        {
            for (var c = 0; c < table.Columns.Count; c++)
            {
                csv.WriteField(c < row.Cells.Count ? Format(row.Cells[c]) : string.Empty);
            }
            await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        }
        await csv.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The value as a CSV field: <see cref="CellValue.Text"/> is already invariant and ISO-8601; booleans are lower-case.</summary>
    internal static string Format(CellValue cell) => cell.Kind switch
    {
        CellKind.Empty => string.Empty,
        CellKind.Boolean => cell.Boolean == true ? "true" : "false",
        _ => cell.Text ?? string.Empty,
    };
}
