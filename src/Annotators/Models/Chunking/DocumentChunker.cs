using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Models.Chunking;

/// <summary>
/// Cuts a document into chunks that fit the model's context with a task's prompt and answer, along its structure:
/// sections led by headings, pages, paragraphs, list items, and tables as groups of rows that repeat the header row.
/// A block longer than a chunk is split by sentences, then by lines, then by tokens. Table rows are streamed, and no
/// more than <see cref="ChunkingOptions.MaxChunksPerDocument"/> chunks are made, so a huge sheet is never read whole.
/// </summary>
public sealed partial class DocumentChunker
{
    private const string ColumnSeparator = " | ";

    private readonly ChunkingOptions _options;

    /// <summary>Creates the chunker.</summary>
    /// <param name="options">Limits; the defaults of <see cref="ChunkingOptions"/> when null.</param>
    public DocumentChunker(IOptions<ChunkingOptions>? options = null)
    {
        _options = options?.Value ?? new ChunkingOptions();
    }

    /// <summary>The limits in use.</summary>
    public ChunkingOptions Options => _options;

    /// <summary>
    /// Tokens a chunk may take for a task: the context, less the answer's <paramref name="maxOutputTokens"/>, less the
    /// prompt around the chunk (the tokens of <paramref name="system"/> and of <paramref name="userTemplate"/>, the user
    /// turn without the chunk text), less <see cref="ChunkingOptions.SafetyMarginTokens"/>.
    /// </summary>
    /// <exception cref="AnnotationException"><c>model-unavailable</c> while the model is not loaded (wait with <see cref="ModelTasks.CheckAvailableAsync"/> first); <c>invalid-request</c> when the context leaves too little room.</exception>
    public int BudgetFor(ILanguageModel model, string fileName, string task, int maxOutputTokens, string system, string userTemplate)
    {
        ArgumentNullException.ThrowIfNull(model);
        var context = model.Status.ContextSize;
        if (context <= 0)
        {
            throw new AnnotationException(FailureReason.ModelUnavailable,
                $"'{fileName}' needs the language model, which is still loading.", retryable: true);
        }
        var overhead = model.CountTokens(system) + model.CountTokens(userTemplate);
        var budget = context - maxOutputTokens - overhead - _options.SafetyMarginTokens;
        if (budget < _options.MinimumChunkTokens)
        {
            throw new AnnotationException(FailureReason.InvalidRequest,
                $"The model context of {context} tokens is too small for the '{task}' task on '{fileName}': {maxOutputTokens} answer tokens, " +
                $"{overhead} prompt tokens and a margin of {_options.SafetyMarginTokens} leave {budget} tokens for the document " +
                $"(at least {_options.MinimumChunkTokens} needed). Raise Annotate:Model:ContextSize or lower the task's output tokens.");
        }
        return budget;
    }

    /// <summary>
    /// Cuts <paramref name="document"/> into chunks of at most <paramref name="budgetTokens"/> tokens as counted by
    /// <paramref name="countTokens"/>.
    /// </summary>
    public ChunkedDocument Chunk(Document document, Func<string, int> countTokens, int budgetTokens, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(countTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(budgetTokens, 1);
        var builder = new Builder(countTokens, budgetTokens, _options.MaxChunksPerDocument);
        foreach (var piece in Pieces(document, countTokens, budgetTokens, cancellationToken))
        {
            if (!builder.Add(piece))
            {
                return new ChunkedDocument(builder.Chunks, budgetTokens, Truncated: true);
            }
        }
        builder.Flush();
        return new ChunkedDocument(builder.Chunks, budgetTokens, Truncated: builder.Dropped);
    }

    private static IEnumerable<Piece> Pieces(Document document, Func<string, int> count, int budget, CancellationToken cancellationToken)
    {
        if (document.Blocks.Count == 0)
        {
            // A paged document whose reader found no blocks still has its page texts.
            for (var page = 0; page < document.Pages.Count; page++)
            {
                foreach (var part in Fit(document.Pages[page], count, budget))
                {
                    yield return new Piece(part.Text, part.Tokens, -1, SourceLocation.OnPage(page + 1), PieceKind.Text);
                }
            }
            yield break;
        }
        for (var index = 0; index < document.Blocks.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var block = document.Blocks[index];
            var location = block.Location with { Block = index };
            switch (block)
            {
                case HeadingBlock heading:
                    var headingText = new string('#', Math.Clamp(heading.Level, 1, 6)) + " " + OneLine(heading.Content);
                    foreach (var part in Fit(headingText, count, budget))
                    {
                        yield return new Piece(part.Text, part.Tokens, index, location, PieceKind.Heading);
                    }
                    break;
                case ListBlock list:
                    for (var item = 0; item < list.Items.Count; item++)
                    {
                        var marker = list.Ordered ? (item + 1).ToString(CultureInfo.InvariantCulture) + ". " : "- ";
                        foreach (var part in Fit(marker + list.Items[item], count, budget))
                        {
                            yield return new Piece(part.Text, part.Tokens, index, location, PieceKind.Text);
                        }
                    }
                    break;
                case TableBlock table:
                    foreach (var piece in TablePieces(table, index, location, count, budget, cancellationToken))
                    {
                        yield return piece;
                    }
                    break;
                default:
                    foreach (var part in Fit(block.Text, count, budget))
                    {
                        yield return new Piece(part.Text, part.Tokens, index, location, PieceKind.Text);
                    }
                    break;
            }
        }
    }

    private static IEnumerable<Piece> TablePieces(TableBlock table, int index, SourceLocation location, Func<string, int> count, int budget, CancellationToken cancellationToken)
    {
        var header = string.Join(ColumnSeparator, table.Columns.Select(OneLine));
        var headerTokens = count(header);
        if (headerTokens > budget / 2)
        {
            // A header too wide to repeat in every chunk is cut, so rows still have room beside it.
            header = HardSplit(header, count, budget / 2).First().Text;
            headerTokens = count(header);
        }
        var context = new TableContext(table, location, header, headerTokens);
        // Two tokens for the line break, in case it does not merge with its neighbours as counted apart.
        var rowBudget = budget - headerTokens - 2;
        var rowsSeen = 0L;
        foreach (var row in table.Rows)
        {
            if (++rowsSeen % 256 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var text = string.Join(ColumnSeparator, row.Cells.Select(c => OneLine(c.Display ?? c.Text ?? string.Empty)));
            foreach (var part in Fit(text, count, rowBudget))
            {
                yield return new Piece(part.Text, part.Tokens, index, location, PieceKind.Row) { Table = context, Row = row.Number };
            }
        }
        if (rowsSeen == 0)
        {
            yield return new Piece(header, headerTokens, index, location, PieceKind.Text);
        }
    }

    /// <summary>Parts of <paramref name="text"/> of at most <paramref name="budget"/> tokens each: whole, by sentences, by lines, then by tokens.</summary>
    private static IEnumerable<(string Text, int Tokens)> Fit(string text, Func<string, int> count, int budget)
    {
        text = text.Trim();
        if (text.Length == 0)
        {
            yield break;
        }
        var tokens = count(text);
        if (tokens <= budget)
        {
            yield return (text, tokens);
            yield break;
        }
        foreach (var part in Pack(SentenceBreak().Split(text), " ", count, budget, static (sentence, c, b) =>
                     Pack(sentence.Split('\n'), "\n", c, b, static (line, c2, b2) => HardSplit(line, c2, b2))))
        {
            yield return part;
        }
    }

    /// <summary>Joins consecutive <paramref name="units"/> while they fit; a unit that does not fit alone is split by <paramref name="split"/>.</summary>
    private static IEnumerable<(string Text, int Tokens)> Pack(
        IEnumerable<string> units, string joiner, Func<string, int> count, int budget,
        Func<string, Func<string, int>, int, IEnumerable<(string Text, int Tokens)>> split)
    {
        var current = new StringBuilder();
        var currentTokens = 0;
        foreach (var raw in units)
        {
            var unit = raw.Trim();
            if (unit.Length == 0)
            {
                continue;
            }
            if (current.Length > 0)
            {
                var joined = current + joiner + unit;
                var joinedTokens = count(joined);
                if (joinedTokens <= budget)
                {
                    current.Clear().Append(joined);
                    currentTokens = joinedTokens;
                    continue;
                }
                yield return (current.ToString(), currentTokens);
                current.Clear();
            }
            var unitTokens = count(unit);
            if (unitTokens <= budget)
            {
                current.Append(unit);
                currentTokens = unitTokens;
                continue;
            }
            foreach (var part in split(unit, count, budget))
            {
                yield return part;
            }
        }
        if (current.Length > 0)
        {
            yield return (current.ToString(), currentTokens);
        }
    }

    /// <summary>Cuts text into the longest prefixes that fit, found by binary search on the character count.</summary>
    private static IEnumerable<(string Text, int Tokens)> HardSplit(string text, Func<string, int> count, int budget)
    {
        var rest = text;
        while (rest.Length > 0)
        {
            var tokens = count(rest);
            if (tokens <= budget)
            {
                yield return (rest, tokens);
                yield break;
            }
            int low = 1, high = rest.Length - 1, best = 1;
            while (low <= high)
            {
                var middle = low + ((high - low) / 2);
                if (count(rest[..middle]) <= budget)
                {
                    best = middle;
                    low = middle + 1;
                }
                else
                {
                    high = middle - 1;
                }
            }
            // Never cut a surrogate pair in two.
            if (best < rest.Length && char.IsLowSurrogate(rest[best]) && best > 1)
            {
                best--;
            }
            var part = rest[..best];
            yield return (part, count(part));
            rest = rest[best..];
        }
    }

    private static string OneLine(string text) =>
        text.Contains('\n', StringComparison.Ordinal) || text.Contains('\r', StringComparison.Ordinal)
            ? text.Replace("\r\n", " ", StringComparison.Ordinal).Replace('\n', ' ').Replace('\r', ' ')
            : text;

    [GeneratedRegex(@"(?<=[.!?;:])\s+")]
    private static partial Regex SentenceBreak();

    private enum PieceKind
    {
        Text,
        Heading,
        Row,
    }

    private sealed record TableContext(TableBlock Table, SourceLocation Location, string Header, int HeaderTokens);

    private sealed record Piece(string Text, int Tokens, int Block, SourceLocation Location, PieceKind Kind)
    {
        public TableContext? Table { get; init; }
        public long? Row { get; init; }
    }

    /// <summary>Packs pieces into chunks, starting a new one at a heading or page once the current one is half full.</summary>
    private sealed class Builder(Func<string, int> count, int budget, int maxChunks)
    {
        private readonly List<Piece> _pieces = [];
        private int _tokens;
        private TableContext? _table;

        public List<DocumentChunk> Chunks { get; } = [];

        /// <summary>True when pieces were left out because the chunk limit was reached while carrying them over.</summary>
        public bool Dropped { get; private set; }

        /// <summary>Adds a piece; false when the chunk limit is reached and the piece has no room.</summary>
        public bool Add(Piece piece)
        {
            var cost = piece.Tokens + 1;
            if (piece.Kind == PieceKind.Row && !ReferenceEquals(piece.Table, _table))
            {
                cost += piece.Table!.HeaderTokens + 1;
            }
            var halfFull = _tokens >= budget / 2;
            var startsSection = piece.Kind == PieceKind.Heading
                || (piece.Location.Page is { } page && _pieces.Count > 0 && _pieces[^1].Location.Page is { } last && page != last);
            if (_pieces.Count > 0 && (_tokens + cost > budget || (startsSection && halfFull)))
            {
                Flush();
                if (Chunks.Count >= maxChunks)
                {
                    return false;
                }
                cost = piece.Tokens + 1 + (piece.Kind == PieceKind.Row ? piece.Table!.HeaderTokens + 1 : 0);
            }
            if (piece.Kind == PieceKind.Row && !ReferenceEquals(piece.Table, _table))
            {
                _table = piece.Table;
                _pieces.Add(new Piece(_table!.Header, _table.HeaderTokens, piece.Block, piece.Location, PieceKind.Row) { Table = _table });
            }
            else if (piece.Kind != PieceKind.Row)
            {
                _table = null;
            }
            _pieces.Add(piece);
            _tokens += cost;
            return true;
        }

        public void Flush()
        {
            if (_pieces.Count == 0)
            {
                return;
            }
            if (Chunks.Count >= maxChunks)
            {
                Dropped = true;
                return;
            }
            var text = string.Join('\n', _pieces.Select(p => p.Text));
            var tokens = count(text);
            // Counting pieces apart is nearly always exact or an overestimate; when the joined text counts more,
            // the last pieces move to the next chunk.
            var carried = new List<Piece>();
            while (tokens > budget && _pieces.Count > 1)
            {
                carried.Insert(0, _pieces[^1]);
                _pieces.RemoveAt(_pieces.Count - 1);
                text = string.Join('\n', _pieces.Select(p => p.Text));
                tokens = count(text);
            }
            Chunks.Add(new DocumentChunk(Chunks.Count, text, tokens, _pieces.Select(p => p.Block).Where(b => b >= 0).Distinct().Order().ToList(), LocationOf(_pieces)));
            _pieces.Clear();
            _tokens = 0;
            _table = null;
            foreach (var piece in carried.Where(p => !(p.Kind == PieceKind.Row && p.Row is null)))
            {
                if (Chunks.Count >= maxChunks || !Add(piece))
                {
                    Dropped = true;
                    return;
                }
            }
        }

        private static SourceLocation LocationOf(List<Piece> pieces)
        {
            var first = pieces[0];
            if (first.Table is not { } table)
            {
                return first.Location;
            }
            var rows = pieces.Where(p => ReferenceEquals(p.Table, table) && p.Row is not null).Select(p => p.Row!.Value).ToList();
            if (rows.Count == 0)
            {
                return first.Location;
            }
            var lastColumn = Math.Max(table.Table.Columns.Count, 1) - 1;
            var range = table.Table.CellReference(0, rows.Min()) + ":" + table.Table.CellReference(lastColumn, rows.Max());
            return table.Location with { Cell = range, Line = null, Offset = null, Length = null };
        }
    }
}
