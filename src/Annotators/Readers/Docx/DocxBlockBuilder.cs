using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;
using Word = DocumentFormat.OpenXml.Wordprocessing;

namespace Annotate.Annotators.Readers.Docx;

/// <summary>
/// Turns the body's top-level elements, handed over one at a time in document order, into blocks. Each element is
/// walked once and every lookup (styles, numbering) is a dictionary, so the work is linear in the document; recursion
/// only follows content controls, whose nesting <see cref="DocxPartGuard"/> has already bounded.
/// </summary>
internal sealed class DocxBlockBuilder
{
    // Word allows at most 63 columns; a larger span is no real table and would only pad rows with empty cells.
    private const int MaxGridSpan = 63;

    private readonly List<Block> _blocks = [];
    private readonly Dictionary<string, Style> _styles;
    private readonly Dictionary<string, int?> _styleHeadingLevels = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, int?> _abstractNumbering = [];
    private readonly Dictionary<(int AbstractId, int Level), NumberFormatValues?> _levelFormats = [];
    private readonly string _fileName;
    private readonly int _maxTableCells;
    private readonly CancellationToken _cancellationToken;
    private List<string>? _openListItems;
    private bool _openListOrdered;
    private long _tableCells;
    private int _tables;

    public DocxBlockBuilder(Styles? styles, Numbering? numbering, string fileName, ReaderOptions options, CancellationToken cancellationToken)
    {
        _styles = (styles?.Elements<Style>() ?? [])
            .Where(s => s.StyleId?.Value is not null)
            .GroupBy(s => s.StyleId!.Value!, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);
        foreach (var instance in numbering?.Elements<NumberingInstance>() ?? [])
        {
            if (instance.NumberID?.Value is { } id)
            {
                _abstractNumbering.TryAdd(id, instance.AbstractNumId?.Val?.Value);
            }
        }
        foreach (var definition in numbering?.Elements<AbstractNum>() ?? [])
        {
            if (definition.AbstractNumberId?.Value is not { } abstractId)
            {
                continue;
            }
            foreach (var level in definition.Elements<Level>())
            {
                if (level.LevelIndex?.Value is { } index)
                {
                    _levelFormats.TryAdd((abstractId, index), level.NumberingFormat?.Val?.Value);
                }
            }
        }
        _fileName = fileName;
        _maxTableCells = options.MaxDocxTableCells;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Whether <see cref="Add"/> uses elements of this type; the reader loads no others.</summary>
    public static bool Reads(Type elementType) =>
        elementType == typeof(Paragraph) || elementType == typeof(Table)
        || elementType == typeof(SdtBlock) || elementType == typeof(CustomXmlBlock);

    /// <summary>Adds one element of the body (paragraph, table, content control…); others are ignored.</summary>
    public void Add(OpenXmlElement element)
    {
        _cancellationToken.ThrowIfCancellationRequested();
        switch (element)
        {
            case Paragraph paragraph:
                AddParagraph(paragraph);
                break;
            case Table table:
                CloseList();
                AddTables(table);
                break;
            case SdtBlock or CustomXmlBlock:
                // Content controls and custom XML wrap ordinary paragraphs and tables.
                foreach (var child in (element.GetFirstChild<SdtContentBlock>() ?? element).Elements())
                {
                    Add(child);
                }
                break;
        }
    }

    /// <summary>The blocks, numbered in document order.</summary>
    public IReadOnlyList<Block> Build()
    {
        CloseList();
        return _blocks;
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
            Append(new HeadingBlock(level, text.Trim()));
            return;
        }
        if (ListKind(styleId, properties) is { } ordered)
        {
            if (_openListItems is not null && _openListOrdered != ordered)
            {
                CloseList();
            }
            // Items collect in a list of their own: rebuilding the block per item would copy the list each time.
            _openListItems ??= [];
            _openListOrdered = ordered;
            _openListItems.Add(text.Trim());
            return;
        }
        CloseList();
        Append(new ParagraphBlock(text.Trim()));
    }

    // Numbered as they come: renumbering copies at the end would hold every block twice.
    private void Append(Block block) => _blocks.Add(block with { Location = new SourceLocation { Block = _blocks.Count } });

    private void CloseList()
    {
        if (_openListItems is not null)
        {
            Append(new ListBlock(_openListOrdered, _openListItems));
            _openListItems = null;
        }
    }

    /// <summary>Heading level from the Title style, a HeadingN style, or an outline level on the paragraph or its style chain.</summary>
    private int? HeadingLevel(string? styleId, ParagraphProperties? properties)
    {
        if (properties?.OutlineLevel?.Val?.Value is { } own && own < 9)
        {
            return Math.Min(6, own + 1);
        }
        if (styleId is null)
        {
            return null;
        }
        // Once per style: a long style chain is walked once, not once per paragraph.
        if (!_styleHeadingLevels.TryGetValue(styleId, out var level))
        {
            level = StyleHeadingLevel(styleId);
            _styleHeadingLevels[styleId] = level;
        }
        return level;
    }

    private int? StyleHeadingLevel(string styleId)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (string? id = styleId; id is not null && seen.Add(id); id = _styles.GetValueOrDefault(id)?.BasedOn?.Val?.Value)
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
        NumberFormatValues? format = null;
        if (_abstractNumbering.GetValueOrDefault(numberingId.Value) is { } abstractId)
        {
            format = _levelFormats.GetValueOrDefault((abstractId, levelIndex));
        }
        if (format is null)
        {
            return false; // the definition is missing: a bullet is the safer guess
        }
        return format.Value != NumberFormatValues.Bullet && format.Value != NumberFormatValues.None;
    }

    /// <summary>
    /// Adds a table, then the tables nested in its cells as blocks of their own, in document order. An explicit stack
    /// instead of recursion: work and stack stay flat however deep tables nest.
    /// </summary>
    private void AddTables(Table outermost)
    {
        var pending = new Stack<Table>();
        pending.Push(outermost);
        while (pending.TryPop(out var table))
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var nested = new List<Table>();
            AddTable(table, nested);
            for (var i = nested.Count - 1; i >= 0; i--)
            {
                pending.Push(nested[i]);
            }
        }
    }

    private void AddTable(Table table, List<Table> nested)
    {
        var rows = new List<List<string>>();
        foreach (var row in table.Elements<Word.TableRow>())
        {
            var cells = new List<string>();
            foreach (var cell in row.Elements<TableCell>())
            {
                var text = string.Join('\n', cell.Elements<Paragraph>().Select(ParagraphText).Where(t => t.Length > 0)).Trim();
                cells.Add(text);
                nested.AddRange(cell.Elements<Table>());
                // A cell spanning columns keeps the grid aligned with empty cells.
                var span = Math.Clamp(cell.TableCellProperties?.GridSpan?.Val?.Value ?? 1, 1, MaxGridSpan);
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
        var width = rows.Max(r => r.Count);
        // Counted padded, before padding: what the rows will hold, not what the XML spelt out.
        _tableCells += (long)rows.Count * width;
        if (_tableCells > _maxTableCells)
        {
            throw ZipPackageLimits.TooLarge(_fileName,
                $"its tables hold more than {_maxTableCells.ToString("N0", CultureInfo.InvariantCulture)} cells (Annotate:Readers:MaxDocxTableCells)");
        }
        _tables++;
        var header = rows[0];
        var columns = Enumerable.Range(0, width)
            .Select(i => i < header.Count && header[i].Length > 0 ? header[i].Replace('\n', ' ') : $"Column{i + 1}")
            .ToList();
        var data = rows.Skip(1)
            .Select((cells, i) => new Documents.TableRow(i + 2,
                Enumerable.Range(0, width).Select(c => c < cells.Count ? CellValueParser.Parse(cells[c]) : CellValue.Empty).ToList()))
            .ToList();
        Append(new TableBlock
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
