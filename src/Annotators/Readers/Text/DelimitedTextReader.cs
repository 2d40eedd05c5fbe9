using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers.Xlsx;
using CsvHelper;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Readers.Text;

/// <summary>
/// Reads CSV, TSV and other delimited text with CsvHelper into one table: encoding and delimiter detection,
/// RFC 4180 quoting, header detection and typed cells (invariant numbers, decimal commas in semicolon files,
/// dates, booleans).
/// </summary>
public sealed class DelimitedTextReader : IDocumentReader
{
    private const int SniffRecords = 40;
    private const int SniffBytes = 64 * 1024;
    private const int HeaderSampleRecords = 50;
    private readonly ReaderOptions _options;

    /// <summary>Creates the reader with default limits.</summary>
    public DelimitedTextReader()
        : this(Microsoft.Extensions.Options.Options.Create(new ReaderOptions()))
    {
    }

    /// <summary>Creates the reader; files above <see cref="ReaderOptions.StreamingTextBytes"/> are streamed.</summary>
    public DelimitedTextReader(IOptions<ReaderOptions> options) => _options = options.Value;

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Csv;

    /// <inheritdoc />
    public async Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        if (source.Length > _options.StreamingTextBytes)
        {
            return ReadStreamed(source, cancellationToken);
        }
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

    private static CsvReaderOptions Options(char delimiter) =>
        new()
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

    private static List<Record> ReadRecords(string text, char delimiter, string fileName, CancellationToken cancellationToken)
    {
        var records = new List<Record>();
        try
        {
            using var reader = CsvReader.FromText(text, Options(delimiter));
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                records.Add(new Record(reader.LineNumber, reader.Current.ToArray()));
            }
        }
        catch (CsvFormatException ex)
        {
            throw Malformed(ex, fileName);
        }
        return records;
    }

    /// <summary>
    /// Large files: one pass to validate, measure and sample the header, then rows streamed from the file each
    /// time the table is enumerated, so a file of millions of records is never held whole.
    /// </summary>
    private Document ReadStreamed(DocumentSource source, CancellationToken cancellationToken)
    {
        byte[] head;
        using (var stream = source.OpenRead())
        {
            head = new byte[(int)Math.Min(SniffBytes, stream.Length)];
            stream.ReadExactly(head);
        }
        var prefix = TextDecoding.Decode(head, out var encodingName);
        var delimiter = DetectDelimiter(prefix, source.FileName);
        var encoding = EncodingFor(encodingName);
        var decimalComma = delimiter == ';';

        var sample = new List<Record>();
        // The header row, if there is one, and the rows kept in memory for previews and samples.
        var keep = Math.Max(HeaderSampleRecords, _options.StreamedSampleRows + 1);
        long count = 0, firstLine = 0, lastLine = 0;
        var width = 0;
        // Past the rows kept in memory, every record is typed once, here, into a spill that later enumerations scan
        // instead of parsing the file again; a file that fits in the sample never makes one.
        SheetRowSpill? spill = null;
        var spilling = _options.SpillStreamedRows;
        foreach (var record in Records(source, delimiter, encoding, cancellationToken))
        {
            if (count == 0)
            {
                firstLine = record.Line;
            }
            if (sample.Count < keep)
            {
                sample.Add(record);
            }
            else if (spilling && spill is null)
            {
                spill = SheetRowSpill.TryCreate(NoSharedStrings);
                foreach (var kept in sample)
                {
                    spill = SheetRowSpill.TryAdd(spill, Typed(kept, decimalComma));
                }
                spilling = spill is not null;
            }
            if (spill is not null)
            {
                spill = SheetRowSpill.TryAdd(spill, Typed(record, decimalComma));
                spilling = spill is not null;
            }
            width = Math.Max(width, record.Fields.Length);
            lastLine = record.Line;
            count++;
        }
        spill?.Seal();
        var document = new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Csv,
            SizeBytes = source.Length,
            Properties = new DocumentProperties { Encoding = encodingName, Delimiter = delimiter.ToString() },
        };
        if (count == 0)
        {
            return document;
        }

        var typedSample = sample.Select(r => Type(r, width, decimalComma)).ToList();
        var hasHeader = HeaderDetection.FirstRowIsHeader(typedSample.Take(HeaderSampleRecords).ToList());
        var columns = Enumerable.Range(0, width)
            .Select(i => hasHeader && i < sample[0].Fields.Length && sample[0].Fields[i].Trim().Length > 0 ? sample[0].Fields[i].Trim() : $"Column{i + 1}")
            .ToList();
        Func<IEnumerable<TableRow>> open = spill is { } spilled
            ? () => spilled.ReadTransient().Skip(hasHeader ? 1 : 0).Select(r => new TableRow(r.Number, Widen(r.Cells, width)))
            : () => Records(source, delimiter, encoding, CancellationToken.None).Skip(hasHeader ? 1 : 0).Select(r => new TableRow(r.Line, Type(r, width, decimalComma)));
        // A scan (ITableRows.Scan) of the spill gets one cells list for every row, and the scans that run at the same
        // time share one decode; a record of empty fields is a row of the table, so empty rows are kept. The rows
        // after the header are those numbered past its line.
        var firstDataLine = hasHeader ? sample[0].Line + 1 : 0;
        Func<IEnumerable<TableRow>>? scan = spill is { } scanned
            ? () => scanned.ScanAligned(1, width, firstDataLine, long.MaxValue, keepEmptyRows: true)
            : null;
        var rows = new StreamedRows(
            open,
            hasHeader ? count - 1 : count,
            sample.Zip(typedSample, (record, cells) => new TableRow(record.Line, cells)).Skip(hasHeader ? 1 : 0).Take(_options.StreamedSampleRows).ToList(),
            scan);
        return document with
        {
            Blocks =
            [
                new TableBlock
                {
                    Name = Path.GetFileNameWithoutExtension(source.FileName),
                    Columns = columns,
                    HasHeaderRow = hasHeader,
                    Rows = rows,
                    FirstColumn = 1,
                    FirstRow = firstLine,
                    Location = new SourceLocation
                    {
                        Line = (int)Math.Min(int.MaxValue, firstLine),
                        Cell = $"A{firstLine.ToString(CultureInfo.InvariantCulture)}:{CellReferences.ColumnName(Math.Max(1, width))}{lastLine.ToString(CultureInfo.InvariantCulture)}",
                        Block = 0,
                    },
                },
            ],
        };
    }

    private static readonly SharedStringTable NoSharedStrings = SharedStringTable.Read(null);

    /// <summary>
    /// A record's typed fields for the spill, by column (the width is only known at the end). Empty fields are left out,
    /// so a file of bare delimiters does not spill to several times its size.
    /// </summary>
    private static RawRow Typed(Record record, bool decimalComma)
    {
        var cells = new List<RawCell>(record.Fields.Length);
        for (var i = 0; i < record.Fields.Length; i++)
        {
            var value = CellValueParser.Parse(record.Fields[i], decimalComma);
            if (value != CellValue.Empty)
            {
                cells.Add(new RawCell(i + 1, value, Bold: false));
            }
        }
        return new RawRow(record.Line, cells);
    }

    /// <summary>A spilled record's cells in place, padded with empty cells to the table's width, as <see cref="Type"/> pads them.</summary>
    private static CellValue[] Widen(IReadOnlyList<RawCell> cells, int width) => Widen(cells, new CellValue[width]);

    private static CellValue[] Widen(IReadOnlyList<RawCell> cells, CellValue[] values)
    {
        Array.Fill(values, CellValue.Empty);
        foreach (var cell in cells)
        {
            values[cell.Column - 1] = cell.Value;
        }
        return values;
    }

    private static IReadOnlyList<CellValue> Type(Record record, int width, bool decimalComma) =>
        Enumerable.Range(0, width).Select(i => i < record.Fields.Length ? CellValueParser.Parse(record.Fields[i], decimalComma) : CellValue.Empty).ToList();

    private static Encoding EncodingFor(string name) => name switch
    {
        "utf-16" => Encoding.Unicode,
        "utf-16BE" => Encoding.BigEndianUnicode,
        "windows-1252" => Encoding.GetEncoding(1252),
        _ => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
    };

    private static IEnumerable<Record> Records(DocumentSource source, char delimiter, Encoding encoding, CancellationToken cancellationToken)
    {
        CsvReader reader;
        try
        {
            reader = CsvReader.FromFile(source.Path, Options(delimiter) with { Encoding = encoding });
        }
        catch (FileNotFoundException ex)
        {
            throw new AnnotationException(FailureReason.SourceMissing, $"'{source.FileName}' disappeared while it was being read.", inner: ex);
        }
        using (reader)
        {
            var first = true;
            while (true)
            {
                Record record;
                try
                {
                    if (!reader.Read())
                    {
                        yield break;
                    }
                    cancellationToken.ThrowIfCancellationRequested();
                    var fields = reader.Current.ToArray();
                    if (first && fields.Length > 0 && fields[0].StartsWith('\uFEFF'))
                    {
                        fields[0] = fields[0][1..];
                    }
                    first = false;
                    record = new Record(reader.LineNumber, fields);
                }
                catch (CsvFormatException ex)
                {
                    throw Malformed(ex, source.FileName);
                }
                yield return record;
            }
        }
    }

    private static AnnotationException Malformed(CsvFormatException ex, string fileName)
    {
        var where = ex.LineNumber > 0
            ? $"line {ex.LineNumber.ToString(CultureInfo.InvariantCulture)}"
            : $"record {ex.RecordNumber.ToString(CultureInfo.InvariantCulture)}";
        return new AnnotationException(FailureReason.Corrupt,
            $"'{fileName}' is not valid delimited text: malformed quoting at {where} (a field's quotes are not closed or text follows a closing quote).",
            inner: ex);
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
