using System.IO.Packaging;
using System.Text;
using System.Xml;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Document = Annotate.Annotators.Documents.Document;
using Word = DocumentFormat.OpenXml.Wordprocessing;

namespace Annotate.Annotators.Readers.Docx;

/// <summary>
/// Reads Word documents (.docx) with the Open XML SDK: headings from heading styles and outline levels,
/// paragraphs, bulleted and numbered lists, tables (first row as header) and the core properties.
/// </summary>
public sealed class DocxReader : IDocumentReader
{
    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Docx;

    /// <inheritdoc />
    public Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken) =>
        Task.Run(() => Read(source, cancellationToken), cancellationToken);

    private static Document Read(DocumentSource source, CancellationToken cancellationToken)
    {
        try
        {
            using var stream = source.OpenRead();
            using var word = WordprocessingDocument.Open(stream, isEditable: false);
            var main = word.MainDocumentPart
                ?? throw new AnnotationException(FailureReason.Corrupt, $"'{source.FileName}' has no main document part: it is not a complete Word document.");
            var body = main.Document?.Body
                ?? throw new AnnotationException(FailureReason.Corrupt, $"'{source.FileName}' has no document body: it is not a complete Word document.");

            var blocks = new DocxBlockBuilder(main, cancellationToken).Build(body);
            return new Document
            {
                FileName = source.FileName,
                Format = SourceFormat.Docx,
                SizeBytes = source.Length,
                Properties = ReadProperties(word),
                Blocks = blocks,
                Outline = blocks.OfType<HeadingBlock>().Select(h => new OutlineEntry(h.Content, h.Level, null)).ToList(),
            };
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or XmlException or FileFormatException or InvalidOperationException)
        {
            throw new AnnotationException(FailureReason.Corrupt,
                $"'{source.FileName}' is not a readable Word document (damaged or truncated): {ex.Message}", inner: ex);
        }
    }

    private static DocumentProperties ReadProperties(WordprocessingDocument word)
    {
        // The SDK marks its package abstraction experimental; the core properties it exposes are stable OPC.
#pragma warning disable OOXML0001
        var properties = word.PackageProperties;
#pragma warning restore OOXML0001
        return new()
        {
            Title = Clean(properties.Title),
            Author = Clean(properties.Creator) ?? Clean(properties.LastModifiedBy),
            Subject = Clean(properties.Subject),
            Keywords = Clean(properties.Keywords),
            Created = AsUtc(properties.Created),
            Modified = AsUtc(properties.Modified),
        };
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // Core properties are W3CDTF dates, UTC by convention.
    private static DateTimeOffset? AsUtc(DateTime? value) =>
        value is { } date
            ? new DateTimeOffset(date.Kind == DateTimeKind.Local ? date.ToUniversalTime() : DateTime.SpecifyKind(date, DateTimeKind.Utc))
            : null;

    /// <summary>Walks the body in document order and collects blocks.</summary>
    private sealed class DocxBlockBuilder(MainDocumentPart main, CancellationToken cancellationToken)
    {
        private readonly List<Block> _blocks = [];
        private readonly Dictionary<string, Style> _styles = (main.StyleDefinitionsPart?.Styles?.Elements<Style>() ?? [])
            .Where(s => s.StyleId?.Value is not null)
            .GroupBy(s => s.StyleId!.Value!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        private readonly Numbering? _numbering = main.NumberingDefinitionsPart?.Numbering;
        private ListBlock? _openList;
        private int _tables;

        public IReadOnlyList<Block> Build(Body body)
        {
            Walk(body);
            CloseList();
            return _blocks.Select((b, i) => b with { Location = b.Location with { Block = i } }).ToList();
        }

        private void Walk(OpenXmlElement container)
        {
            foreach (var element in container.Elements())
            {
                cancellationToken.ThrowIfCancellationRequested();
                switch (element)
                {
                    case Paragraph paragraph:
                        AddParagraph(paragraph);
                        break;
                    case Table table:
                        CloseList();
                        AddTable(table);
                        break;
                    case SdtBlock or CustomXmlBlock:
                        // Content controls and custom XML wrap ordinary paragraphs and tables.
                        Walk(element.GetFirstChild<SdtContentBlock>() ?? element);
                        break;
                }
            }
        }

        private void AddParagraph(Paragraph paragraph)
        {
            var text = ParagraphText(paragraph);
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }
            var properties = paragraph.ParagraphProperties;
            var styleId = properties?.ParagraphStyleId?.Val?.Value;
            if (HeadingLevel(styleId, properties) is { } level)
            {
                CloseList();
                _blocks.Add(new HeadingBlock(level, text.Trim()));
                return;
            }
            if (ListKind(styleId, properties) is { } ordered)
            {
                if (_openList is not null && _openList.Ordered != ordered)
                {
                    CloseList();
                }
                _openList = _openList is null ? new ListBlock(ordered, [text.Trim()]) : _openList with { Items = [.. _openList.Items, text.Trim()] };
                return;
            }
            CloseList();
            _blocks.Add(new ParagraphBlock(text.Trim()));
        }

        private void CloseList()
        {
            if (_openList is not null)
            {
                _blocks.Add(_openList);
                _openList = null;
            }
        }

        /// <summary>Heading level from the Title style, a HeadingN style, or an outline level on the paragraph or its style chain.</summary>
        private int? HeadingLevel(string? styleId, ParagraphProperties? properties)
        {
            if (properties?.OutlineLevel?.Val?.Value is { } own && own < 9)
            {
                return Math.Min(6, own + 1);
            }
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            for (var id = styleId; id is not null && seen.Add(id); id = _styles.GetValueOrDefault(id)?.BasedOn?.Val?.Value)
            {
                var style = _styles.GetValueOrDefault(id);
                var name = style?.StyleName?.Val?.Value ?? id;
                if (name.Equals("Title", StringComparison.OrdinalIgnoreCase) || id.Equals("Title", StringComparison.OrdinalIgnoreCase))
                {
                    return 1;
                }
                foreach (var candidate in new[] { id, name.Replace(" ", string.Empty) })
                {
                    if (candidate.StartsWith("Heading", StringComparison.OrdinalIgnoreCase)
                        && int.TryParse(candidate.AsSpan("Heading".Length), out var n) && n is >= 1 and <= 9)
                    {
                        return Math.Min(6, n);
                    }
                }
                if (style?.StyleParagraphProperties?.OutlineLevel?.Val?.Value is { } level && level < 9)
                {
                    return Math.Min(6, level + 1);
                }
            }
            return null;
        }

        /// <summary>Null when the paragraph is not a list item; otherwise whether its numbering counts (ordered) or bullets.</summary>
        private bool? ListKind(string? styleId, ParagraphProperties? properties)
        {
            var numbering = properties?.NumberingProperties
                ?? (styleId is null ? null : _styles.GetValueOrDefault(styleId)?.StyleParagraphProperties?.NumberingProperties);
            var numberingId = numbering?.NumberingId?.Val?.Value;
            if (numberingId is null or 0)
            {
                return null; // numId 0 explicitly removes numbering
            }
            var levelIndex = numbering?.NumberingLevelReference?.Val?.Value ?? 0;
            var instance = _numbering?.Elements<NumberingInstance>().FirstOrDefault(n => n.NumberID?.Value == numberingId);
            var abstractId = instance?.AbstractNumId?.Val?.Value;
            var definition = _numbering?.Elements<AbstractNum>().FirstOrDefault(a => a.AbstractNumberId?.Value == abstractId);
            var level = definition?.Elements<Level>().FirstOrDefault(l => l.LevelIndex?.Value == levelIndex);
            var format = level?.NumberingFormat?.Val;
            if (format is null)
            {
                return false; // the definition is missing: a bullet is the safer guess
            }
            return format.Value != NumberFormatValues.Bullet && format.Value != NumberFormatValues.None;
        }

        private void AddTable(Table table)
        {
            var rows = new List<List<string>>();
            foreach (var row in table.Elements<Word.TableRow>())
            {
                var cells = new List<string>();
                foreach (var cell in row.Elements<TableCell>())
                {
                    var text = string.Join('\n', cell.Elements<Paragraph>().Select(ParagraphText).Where(t => t.Length > 0)).Trim();
                    cells.Add(text);
                    // A cell spanning columns keeps the grid aligned with empty cells.
                    var span = cell.TableCellProperties?.GridSpan?.Val?.Value ?? 1;
                    for (var i = 1; i < span; i++)
                    {
                        cells.Add(string.Empty);
                    }
                }
                rows.Add(cells);
            }
            if (rows.Count == 0)
            {
                return;
            }
            _tables++;
            var width = rows.Max(r => r.Count);
            var header = rows[0];
            var columns = Enumerable.Range(0, width)
                .Select(i => i < header.Count && header[i].Length > 0 ? header[i].Replace('\n', ' ') : $"Column{i + 1}")
                .ToList();
            var data = rows.Skip(1)
                .Select((cells, i) => new Documents.TableRow(i + 2,
                    Enumerable.Range(0, width).Select(c => c < cells.Count ? CellValueParser.Parse(cells[c]) : CellValue.Empty).ToList()))
                .ToList();
            _blocks.Add(new TableBlock
            {
                Name = $"Table{_tables}",
                Columns = columns,
                HasHeaderRow = true,
                Rows = new InMemoryRows(data),
            });
        }

        private static string ParagraphText(Paragraph paragraph)
        {
            var text = new StringBuilder();
            foreach (var element in paragraph.Descendants())
            {
                switch (element)
                {
                    case Word.Text t:
                        text.Append(t.Text);
                        break;
                    case TabChar:
                        text.Append('\t');
                        break;
                    case Break or CarriageReturn:
                        text.Append('\n');
                        break;
                    case NoBreakHyphen:
                        text.Append('-');
                        break;
                }
            }
            return text.ToString();
        }
    }
}
