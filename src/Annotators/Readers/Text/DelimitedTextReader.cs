using System.Globalization;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using CsvHelper;

namespace Annotate.Annotators.Readers.Text;

/// <summary>
/// Reads CSV, TSV and other delimited text with CsvHelper into one table: encoding and delimiter detection,
/// RFC 4180 quoting, header detection and typed cells (invariant numbers, decimal commas in semicolon files,
/// dates, booleans).
/// </summary>
public sealed class DelimitedTextReader : IDocumentReader
{
    private const int SniffRecords = 40;

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Csv;

    /// <inheritdoc />
    public async Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(source.Path, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, out var encoding);
        var delimiter = DetectDelimiter(text, source.FileName);
        var records = ReadRecords(text, delimiter, source.FileName, cancellationToken);
        var table = ToTable(records, delimiter, source.FileName);
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Csv,
            SizeBytes = bytes.Length,
            Properties = new DocumentProperties
            {
                Encoding = encoding,
                Delimiter = delimiter.ToString(),
            },
            Blocks = table is null ? [] : [table],
        };
    }

    /// <summary>The delimiter that splits the first records evenly; tab for .tsv files, else a comma, when none does.</summary>
    internal static char DetectDelimiter(string text, string fileName)
    {
        var detected = TextFormats.DetectDelimiter(LogicalLines(text).Where(l => l.Length > 0).Take(SniffRecords).ToList());
        if (detected is { } delimiter)
        {
            return delimiter;
        }
        return Path.GetExtension(fileName).ToLowerInvariant() is ".tsv" or ".tab" ? '\t' : ',';
    }

    /// <summary>Lines of the text that keep line breaks inside double quotes, so multi-line fields do not skew the detection.</summary>
    private static IEnumerable<string> LogicalLines(string text)
    {
        var start = 0;
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == '\n' && !quoted)
            {
                yield return text[start..i].TrimEnd('\r');
                start = i + 1;
            }
        }
        if (start < text.Length)
        {
            yield return text[start..].TrimEnd('\r');
        }
    }

    private sealed record Record(long Line, string[] Fields);

    private static List<Record> ReadRecords(string text, char delimiter, string fileName, CancellationToken cancellationToken)
    {
        var options = new CsvReaderOptions
        {
            Separator = delimiter,
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            MalformedData = CsvMalformedDataHandling.Throw,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            SkipEmptyLines = true,
            TrackLineNumbers = true,
            DetectSeparatorHint = false,
            // Cell values may be personal data; keep them out of messages that end up in logs.
            IncludeValuesInExceptions = false,
        };
        var records = new List<Record>();
        try
        {
            using var reader = CsvReader.FromText(text, options);
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                records.Add(new Record(reader.LineNumber, reader.Current.ToArray()));
            }
        }
        catch (CsvFormatException ex)
        {
            var where = ex.LineNumber > 0
                ? $"line {ex.LineNumber.ToString(CultureInfo.InvariantCulture)}"
                : $"record {ex.RecordNumber.ToString(CultureInfo.InvariantCulture)}";
            throw new AnnotationException(FailureReason.Corrupt,
                $"'{fileName}' is not valid delimited text: malformed quoting at {where} (a field's quotes are not closed or text follows a closing quote).",
                inner: ex);
        }
        return records;
    }

    private static TableBlock? ToTable(List<Record> records, char delimiter, string fileName)
    {
        if (records.Count == 0)
        {
            return null;
        }
        var decimalComma = delimiter == ';';
        var width = records.Max(r => r.Fields.Length);
        var typed = records
            .Select(r => Enumerable.Range(0, width).Select(i => i < r.Fields.Length ? CellValueParser.Parse(r.Fields[i], decimalComma) : CellValue.Empty).ToList())
            .ToList();
        var hasHeader = HeaderDetection.FirstRowIsHeader(typed);
        var columns = Enumerable.Range(0, width)
            .Select(i => hasHeader && records[0].Fields[i].Trim().Length > 0 ? records[0].Fields[i].Trim() : $"Column{i + 1}")
            .ToList();
        var rows = records.Select((r, i) => new TableRow(r.Line, typed[i])).Skip(hasHeader ? 1 : 0).ToList();
        var lastLine = records[^1].Line;
        return new TableBlock
        {
            Name = Path.GetFileNameWithoutExtension(fileName),
            Columns = columns,
            HasHeaderRow = hasHeader,
            Rows = new InMemoryRows(rows),
            FirstColumn = 1,
            FirstRow = records[0].Line,
            Location = new SourceLocation
            {
                Line = (int)Math.Min(int.MaxValue, records[0].Line),
                Cell = $"A{records[0].Line.ToString(CultureInfo.InvariantCulture)}:{CellReferences.ColumnName(Math.Max(1, width))}{lastLine.ToString(CultureInfo.InvariantCulture)}",
                Block = 0,
            },
        };
    }
}
