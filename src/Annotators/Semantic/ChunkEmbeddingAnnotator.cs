using System.Text;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Embeddings;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Semantic;

/// <summary>
/// Cuts the document into chunks the sentence encoder reads whole (at block and sentence boundaries; a table by groups of
/// rows under its header) and embeds each, for <c>embeddings.jsonl</c>. Runs only when the profile asks for it
/// (<c>ChunkEmbeddings</c>, or <c>embeddings</c> named among its annotators).
/// </summary>
public sealed class ChunkEmbeddingAnnotator(ITextEmbedder embedder, IOptions<SemanticOptions> options) : IAnnotator
{
    /// <summary>The annotator's name.</summary>
    public const string AnnotatorName = "embeddings";

    private readonly SemanticOptions _options = options.Value;

    /// <inheritdoc />
    public string Name => AnnotatorName;

    /// <inheritdoc />
    public int Order => 340;

    /// <inheritdoc />
    public Task<AnnotatorOutcome> AnnotateAsync(AnnotationContext context, CancellationToken cancellationToken)
    {
        var profile = context.Profile;
        if (!profile.ChunkEmbeddings && !profile.Annotators.Contains(AnnotatorName, StringComparer.OrdinalIgnoreCase))
        {
            return Task.FromResult(AnnotatorOutcome.Skipped($"profile '{profile.Name}' does not ask for chunk embeddings (ChunkEmbeddings)"));
        }
        var chunks = new List<(string Text, SourceLocation Location, int Tokens)>();
        var truncated = false;
        var blocks = context.Document.Blocks;
        for (var b = 0; b < blocks.Count && !truncated; b++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (blocks[b] is TableBlock table)
            {
                truncated = !AddTable(chunks, table, b, cancellationToken);
            }
            else
            {
                truncated = !AddText(chunks, blocks[b], b);
            }
        }
        if (chunks.Count == 0)
        {
            return Task.FromResult(AnnotatorOutcome.Skipped("no text to embed"));
        }
        if (truncated)
        {
            context.Annotations.Notices.Add(new Notice("embeddings-truncated",
                $"embeddings.jsonl holds the first {chunks.Count:N0} chunks of the document (Annotate:Semantic:MaxEmbeddingChunks).") { Source = AnnotatorName });
        }
        var vectors = embedder.Embed(chunks.Select(c => c.Text).ToList(), cancellationToken);
        context.Annotations.ChunkEmbeddings = new ChunkEmbeddings
        {
            Chunks = chunks.Select((c, i) => new EmbeddedChunk(c.Text, c.Location, c.Tokens, vectors[i])).ToList(),
            Truncated = truncated,
            Annotator = AnnotatorName,
        };
        return Task.FromResult(AnnotatorOutcome.Done);
    }

    /// <summary>Adds the chunks of a block of running text; false when the chunk limit was reached first.</summary>
    private bool AddText(List<(string, SourceLocation, int)> chunks, Block block, int index)
    {
        var text = block.Text;
        var limit = embedder.MaxTokens;
        int start = -1, end = -1, tokens = 0;
        var sentences = new List<(int Start, int End)>();
        var from = 0;
        // Sentence ends as the summary reads them.
        foreach (var boundary in DocumentSentences.Boundaries(text))
        {
            sentences.Add((from, boundary.Index));
            from = boundary.Index + boundary.Length;
        }
        sentences.Add((from, text.Length));
        foreach (var (sentenceStart, sentenceEnd) in sentences)
        {
            var (s, e) = Trim(text, sentenceStart, sentenceEnd);
            if (e <= s)
            {
                continue;
            }
            var count = embedder.CountTokens(text[s..e]);
            if (start >= 0 && tokens + count <= limit)
            {
                end = e;
                tokens += count;
                continue;
            }
            if (start >= 0 && !Add(chunks, text, block, index, start, end, tokens))
            {
                return false;
            }
            start = -1;
            if (count <= limit)
            {
                (start, end, tokens) = (s, e, count);
                continue;
            }
            // A sentence longer than the encoder reads is cut between words.
            foreach (var (pieceStart, pieceEnd, pieceTokens) in Words(text, s, e, limit))
            {
                if (!Add(chunks, text, block, index, pieceStart, pieceEnd, pieceTokens))
                {
                    return false;
                }
            }
        }
        return start < 0 || Add(chunks, text, block, index, start, end, tokens);
    }

    private IEnumerable<(int Start, int End, int Tokens)> Words(string text, int start, int end, int limit)
    {
        int pieceStart = start, pieceEnd = start, tokens = 0;
        var position = start;
        while (position < end)
        {
            var wordStart = position;
            while (wordStart < end && char.IsWhiteSpace(text[wordStart]))
            {
                wordStart++;
            }
            var wordEnd = wordStart;
            while (wordEnd < end && !char.IsWhiteSpace(text[wordEnd]))
            {
                wordEnd++;
            }
            position = wordEnd;
            if (wordEnd == wordStart)
            {
                break;
            }
            // A "word" of thousands of characters (a base64 blob) is cut at the limit the encoder would read anyway.
            var count = Math.Min(embedder.CountTokens(text[wordStart..wordEnd]), limit);
            if (tokens > 0 && tokens + count > limit)
            {
                yield return (pieceStart, pieceEnd, tokens);
                tokens = 0;
            }
            if (tokens == 0)
            {
                pieceStart = wordStart;
            }
            pieceEnd = wordEnd;
            tokens += count;
        }
        if (tokens > 0)
        {
            yield return (pieceStart, pieceEnd, tokens);
        }
    }

    private bool Add(List<(string, SourceLocation, int)> chunks, string text, Block block, int index, int start, int end, int tokens)
    {
        if (chunks.Count >= _options.MaxEmbeddingChunks)
        {
            return false;
        }
        var span = text.AsSpan(start, end - start);
        if (!span.ContainsAnyExcept(" \t\r\n"))
        {
            return true;
        }
        chunks.Add((span.ToString(), block.Location with { Block = index, Offset = start, Length = end - start }, tokens));
        return true;
    }

    private static (int Start, int End) Trim(string text, int start, int end)
    {
        while (start < end && char.IsWhiteSpace(text[start]))
        {
            start++;
        }
        while (end > start && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }
        return (start, end);
    }

    /// <summary>Adds a table's chunks: its header line and as many rows as fit, rows never split; false when the chunk limit was reached first.</summary>
    private bool AddTable(List<(string, SourceLocation, int)> chunks, TableBlock table, int index, CancellationToken cancellationToken)
    {
        var limit = embedder.MaxTokens;
        var header = string.Join('\t', table.Columns);
        var headerTokens = table.HasHeaderRow ? embedder.CountTokens(header) : 0;
        var text = new StringBuilder();
        long first = 0, last = 0;
        var tokens = 0;
        var rows = 0L;
        foreach (var row in table.Rows.Scan())
        {
            if (++rows % 1024 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var line = string.Join('\t', row.Cells.Select(c => c.Text));
            if (line.Length == 0 || !line.AsSpan().ContainsAnyExcept('\t'))
            {
                continue;
            }
            var count = Math.Min(embedder.CountTokens(line), limit);
            if (first != 0 && headerTokens + tokens + count > limit)
            {
                if (!AddRows(chunks, table, index, header, headerTokens, text, first, last, tokens))
                {
                    return false;
                }
                (first, tokens) = (0, 0);
                text.Clear();
            }
            if (first == 0)
            {
                first = row.Number;
            }
            last = row.Number;
            text.Append(text.Length > 0 ? "\n" : "").Append(line);
            tokens += count;
        }
        return first == 0 || AddRows(chunks, table, index, header, headerTokens, text, first, last, tokens);
    }

    private bool AddRows(List<(string, SourceLocation, int)> chunks, TableBlock table, int index, string header, int headerTokens,
        StringBuilder rows, long first, long last, int tokens)
    {
        if (chunks.Count >= _options.MaxEmbeddingChunks)
        {
            return false;
        }
        var width = Math.Max(1, table.Columns.Count);
        var text = table.HasHeaderRow ? header + "\n" + rows : rows.ToString();
        var range = table.CellReference(0, first) + ":" + table.CellReference(width - 1, last);
        chunks.Add((text, table.Location with { Block = index, Cell = range, Offset = null, Length = null }, headerTokens + tokens));
        return true;
    }
}
