using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Wordprocessing;
using Drawing = DocumentFormat.OpenXml.Drawing.Wordprocessing;
using Word = DocumentFormat.OpenXml.Wordprocessing;

namespace Annotate.Annotators.Readers.Docx;

/// <summary>
/// Turns the body's top-level elements, handed over one at a time in document order, into blocks. Each element is
/// walked once and every lookup (styles, numbering) is a dictionary, so the work is linear in the document; recursion
/// only follows content controls and text boxes, whose nesting <see cref="DocxPartGuard"/> has already bounded.
/// Text is read as Word shows it with every tracked change accepted: deleted and moved-away runs are left out, and of
/// the two renderings of a text box (<c>mc:AlternateContent</c>) only one is read. Footnote, endnote and comment
/// references become <c>[^label]</c> in the text; the text of comments' ranges is kept for the notes.
/// </summary>
internal sealed class DocxBlockBuilder
{
    // Word allows at most 63 columns; a larger span is no real table and would only pad rows with empty cells.
    private const int MaxGridSpan = 63;
    // Word numbers nine list levels.
    private const int MaxListLevels = 9;
    // A text box may hold a text box; Word itself stops early, and the guard has bounded the markup's depth anyway.
    private const int MaxTextBoxDepth = 8;
    // Comments open at once, and the text kept of each: enough to say what a comment is about.
    private const int MaxOpenComments = 256;
    private const int MaxCommentedText = 200;

    private readonly List<Block> _blocks = [];
    private readonly Dictionary<string, Style> _styles;
    private readonly Dictionary<string, int?> _styleHeadingLevels = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<int, int?> _abstractNumbering = [];
    private readonly Dictionary<(int AbstractId, int Level), NumberFormatValues?> _levelFormats = [];
    private readonly string _fileName;
    private readonly int _maxTableCells;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<(int AbstractId, int Level), (int Start, string? Text)> _levelText = [];
    private readonly Dictionary<int, Dictionary<int, int>> _startOverrides = [];
    private readonly Dictionary<int, int[]> _counters = [];
    private readonly Dictionary<string, StringBuilder> _openComments = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _commentedText = new(StringComparer.Ordinal);
    private readonly HashSet<string> _referenced = new(StringComparer.Ordinal);
    private readonly List<string> _referenceOrder = [];
    private List<string>? _openListItems;
    private List<string>? _openListNumbers;
    private bool _openListOrdered;
    private long _tableCells;
    private int _tables;
    private int _textBoxDepth;

    /// <summary>The role of the blocks added now: body, or a header or footer part.</summary>
    public BlockRole Role { get; set; } = BlockRole.Body;

    /// <summary>Whether the text had tracked changes (read with every change accepted).</summary>
    public bool HadTrackedChanges { get; private set; }

    /// <summary>The labels of the notes referred to, in the order of their first reference.</summary>
    public IReadOnlyList<string> ReferencedNotes => _referenceOrder;

    /// <summary>The body text each comment's range covers, by comment id (bounded).</summary>
    public IReadOnlyDictionary<string, string> CommentedText => _commentedText;

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
                    _levelText.TryAdd((abstractId, index), (level.StartNumberingValue?.Val?.Value ?? 1, level.LevelText?.Val?.Value));
                }
            }
        }
        foreach (var instance in numbering?.Elements<NumberingInstance>() ?? [])
        {
            if (instance.NumberID?.Value is not { } id)
            {
                continue;
            }
            foreach (var levelOverride in instance.Elements<LevelOverride>())
            {
                if (levelOverride.LevelIndex?.Value is { } index && levelOverride.StartOverrideNumberingValue?.Val?.Value is { } start)
                {
                    (_startOverrides.TryGetValue(id, out var starts) ? starts : _startOverrides[id] = [])[index] = start;
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
        var textBoxes = new List<TextBoxContent>();
        var references = new List<string>();
        var text = ParagraphText(paragraph, textBoxes, references);
        AddParagraphText(paragraph, text, references);
        // A text box's paragraphs follow the paragraph that anchors it, once each.
        if (textBoxes.Count > 0 && _textBoxDepth < MaxTextBoxDepth)
        {
            _textBoxDepth++;
            var role = Role;
            Role = Role == BlockRole.Body ? BlockRole.TextBox : Role;
            foreach (var child in textBoxes.SelectMany(box => box.Elements()))
            {
                Add(child);
            }
            CloseList();
            Role = role;
            _textBoxDepth--;
        }
    }

    private void AddParagraphText(Paragraph paragraph, string text, List<string> references)
    {
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
        if (ListKind(styleId, properties, out var number) is { } ordered)
        {
            if (_openListItems is not null && _openListOrdered != ordered)
            {
                CloseList();
            }
            // Items collect in a list of their own: rebuilding the block per item would copy the list each time.
            _openListItems ??= [];
            _openListNumbers ??= [];
            _openListOrdered = ordered;
            _openListItems.Add(text.Trim());
            _openListNumbers.Add(number ?? string.Empty);
            return;
        }
        CloseList();
        Append(new ParagraphBlock(text.Trim()) { NoteReferences = references.Count == 0 ? [] : references });
    }

    /// <summary>Adds the blocks of a note part (footnotes, endnotes, comments) under the label its references carry.</summary>
    public void AddNote(string label, BlockRole role, string prefix, IEnumerable<OpenXmlElement> content)
    {
        var text = new StringBuilder(prefix);
        foreach (var element in content)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            var paragraphs = element is Paragraph p ? [p] : element.Descendants<Paragraph>();
            foreach (var paragraph in paragraphs)
            {
                var line = ParagraphText(paragraph, [], []).Trim();
                if (line.Length > 0)
                {
                    text.Append(text.Length > prefix.Length ? " " : string.Empty).Append(line);
                }
            }
        }
        if (text.Length > prefix.Length)
        {
            CloseList();
            Append(new NoteBlock(label, text.ToString().Trim()) { Role = role });
        }
    }

    // Numbered as they come: renumbering copies at the end would hold every block twice.
    private void Append(Block block) =>
        _blocks.Add(block with { Location = new SourceLocation { Block = _blocks.Count }, Role = Role });

    private void CloseList()
    {
        if (_openListItems is not null)
        {
            var numbers = _openListOrdered && _openListNumbers!.All(n => n.Length > 0) ? _openListNumbers! : [];
            Append(new ListBlock(_openListOrdered, _openListItems) { Numbers = numbers });
            _openListItems = null;
            _openListNumbers = null;
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

    /// <summary>
    /// Null when the paragraph is not a list item; otherwise whether its numbering counts (ordered) or bullets, and for
    /// counted items the number Word shows (<paramref name="number"/>), from the level's counters and its text pattern.
    /// </summary>
    private bool? ListKind(string? styleId, ParagraphProperties? properties, out string? number)
    {
        number = null;
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
        var ordered = format.Value != NumberFormatValues.Bullet && format.Value != NumberFormatValues.None;
        if (ordered && levelIndex is >= 0 and < MaxListLevels && _abstractNumbering.GetValueOrDefault(numberingId.Value) is { } id)
        {
            number = Count(numberingId.Value, id, levelIndex);
        }
        return ordered;
    }

    /// <summary>Counts an item at a level of a numbering instance (deeper levels restart) and formats its number.</summary>
    private string? Count(int numberingId, int abstractId, int level)
    {
        if (!_counters.TryGetValue(numberingId, out var counters))
        {
            counters = new int[MaxListLevels];
            for (var i = 0; i < MaxListLevels; i++)
            {
                counters[i] = Start(numberingId, abstractId, i) - 1;
            }
            _counters[numberingId] = counters;
        }
        counters[level]++;
        for (var deeper = level + 1; deeper < MaxListLevels; deeper++)
        {
            counters[deeper] = Start(numberingId, abstractId, deeper) - 1;
        }
        if (_levelText.GetValueOrDefault((abstractId, level)).Text is not { Length: > 0 and <= 64 } pattern)
        {
            return null;
        }
        // "%1.%2." — each %n is level n's counter in that level's format.
        var number = new StringBuilder();
        for (var i = 0; i < pattern.Length; i++)
        {
            if (pattern[i] == '%' && i + 1 < pattern.Length && pattern[i + 1] is >= '1' and <= '9' && pattern[i + 1] - '1' <= level)
            {
                var referenced = pattern[i + 1] - '1';
                number.Append(Format(Math.Max(counters[referenced], 0), _levelFormats.GetValueOrDefault((abstractId, referenced))));
                i++;
            }
            else
            {
                number.Append(pattern[i]);
            }
        }
        return number.ToString().Trim() is { Length: > 0 } text ? text : null;
    }

    /// <summary>Where a level starts counting: the instance's override, else the level's own start, else 1.</summary>
    private int Start(int numberingId, int abstractId, int level)
    {
        if (_startOverrides.TryGetValue(numberingId, out var overrides) && overrides.TryGetValue(level, out var overridden))
        {
            return overridden;
        }
        return _levelText.TryGetValue((abstractId, level), out var defined) ? defined.Start : 1;
    }

    private static string Format(int value, NumberFormatValues? format)
    {
        if (format == NumberFormatValues.LowerLetter || format == NumberFormatValues.UpperLetter)
        {
            // a…z, then aa…zz, as Word counts.
            var letter = (char)('a' + (Math.Max(value, 1) - 1) % 26);
            var text = new string(letter, (Math.Max(value, 1) - 1) / 26 + 1);
            return format == NumberFormatValues.UpperLetter ? text.ToUpperInvariant() : text;
        }
        if (format == NumberFormatValues.LowerRoman || format == NumberFormatValues.UpperRoman)
        {
            var roman = Roman(value);
            return format == NumberFormatValues.LowerRoman ? roman.ToLowerInvariant() : roman;
        }
        return value.ToString(CultureInfo.InvariantCulture);
    }

    private static string Roman(int value)
    {
        if (value is <= 0 or >= 4000)
        {
            return value.ToString(CultureInfo.InvariantCulture);
        }
        ReadOnlySpan<int> values = [1000, 900, 500, 400, 100, 90, 50, 40, 10, 9, 5, 4, 1];
        string[] symbols = ["M", "CM", "D", "CD", "C", "XC", "L", "XL", "X", "IX", "V", "IV", "I"];
        var text = new StringBuilder();
        for (var i = 0; i < values.Length; i++)
        {
            while (value >= values[i])
            {
                text.Append(symbols[i]);
                value -= values[i];
            }
        }
        return text.ToString();
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
                var text = string.Join('\n', cell.Elements<Paragraph>().Select(p => ParagraphText(p, [], [])).Where(t => t.Length > 0)).Trim();
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

    /// <summary>
    /// The paragraph's text as Word shows it with tracked changes accepted. Text boxes met on the way are handed back
    /// in <paramref name="textBoxes"/> rather than read into the paragraph; note references are written <c>[^label]</c>
    /// and their labels added to <paramref name="references"/>. An explicit stack, not recursion, walks the runs.
    /// </summary>
    private string ParagraphText(Paragraph paragraph, List<TextBoxContent> textBoxes, List<string> references)
    {
        var text = new StringBuilder();
        var pending = new Stack<OpenXmlElement>();
        PushChildren(pending, paragraph);
        while (pending.TryPop(out var element))
        {
            switch (element)
            {
                case Word.Text t:
                    text.Append(t.Text);
                    AppendToComments(t.Text);
                    continue;
                case TabChar:
                    text.Append('\t');
                    continue;
                case Break or CarriageReturn:
                    text.Append('\n');
                    continue;
                case NoBreakHyphen:
                    text.Append('-');
                    continue;
                case DeletedRun or MoveFromRun:
                    HadTrackedChanges = true;
                    continue; // accepted: gone
                case InsertedRun or MoveToRun:
                    HadTrackedChanges = true;
                    break;
                case AlternateContent alternate:
                    // Two renderings of one thing (a text box as DrawingML and as VML): read the first choice, or the fallback.
                    OpenXmlElement? chosen = alternate.GetFirstChild<AlternateContentChoice>();
                    chosen ??= alternate.GetFirstChild<AlternateContentFallback>();
                    if (chosen is not null)
                    {
                        PushChildren(pending, chosen);
                    }
                    continue;
                case TextBoxContent box:
                    textBoxes.Add(box);
                    continue;
                case FootnoteReference { Id.Value: { } footnote }:
                    Reference(text, references, FootnoteLabel(footnote));
                    continue;
                case EndnoteReference { Id.Value: { } endnote }:
                    Reference(text, references, EndnoteLabel(endnote));
                    continue;
                case CommentReference { Id.Value: { } comment }:
                    Reference(text, references, CommentLabel(comment));
                    continue;
                case CommentRangeStart { Id.Value: { } opened }:
                    if (_openComments.Count < MaxOpenComments)
                    {
                        _openComments.TryAdd(opened, new StringBuilder());
                    }
                    continue;
                case CommentRangeEnd { Id.Value: { } closed }:
                    if (_openComments.Remove(closed, out var covered))
                    {
                        _commentedText.TryAdd(closed, covered.ToString().Trim());
                    }
                    continue;
                case Drawing.DocProperties { Description.Value: { Length: > 0 } description }:
                    // An image's alternative text is what a reader of the page would be told it shows.
                    text.Append(" [image: ").Append(description.Trim()).Append("] ");
                    continue;
            }
            PushChildren(pending, element);
        }
        return text.ToString();
    }

    private static void PushChildren(Stack<OpenXmlElement> pending, OpenXmlElement element)
    {
        // Pushed last to first, so that they pop in document order.
        for (var child = element.LastChild; child is not null; child = child.PreviousSibling())
        {
            pending.Push(child);
        }
    }

    private void Reference(StringBuilder text, List<string> references, string label)
    {
        text.Append("[^").Append(label).Append(']');
        references.Add(label);
        if (_referenced.Add(label))
        {
            _referenceOrder.Add(label);
        }
    }

    private void AppendToComments(string text)
    {
        foreach (var covered in _openComments.Values)
        {
            if (covered.Length < MaxCommentedText)
            {
                covered.Append(text.AsSpan(0, Math.Min(text.Length, MaxCommentedText - covered.Length)));
            }
        }
    }

    /// <summary>The label of a footnote's reference: its number.</summary>
    public static string FootnoteLabel(long id) => id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The label of an endnote's reference.</summary>
    public static string EndnoteLabel(long id) => "e" + id.ToString(CultureInfo.InvariantCulture);

    /// <summary>The label of a comment's reference.</summary>
    public static string CommentLabel(string id) => "c" + id;
}
