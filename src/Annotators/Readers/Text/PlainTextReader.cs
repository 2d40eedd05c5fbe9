using System.Text;
using System.Text.RegularExpressions;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Text;

/// <summary>
/// Reads plain text: paragraphs split on blank lines with their line numbers, bulleted and numbered lists, and
/// (conservatively) headings: a short first line set apart by a blank line, underlined lines and short all-caps lines.
/// </summary>
public sealed partial class PlainTextReader : IDocumentReader
{
    private const int MaxHeadingLength = 80;

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Text;

    /// <inheritdoc />
    public async Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(source.Path, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, out var encoding);
        var blocks = Parse(text, cancellationToken);
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Text,
            SizeBytes = bytes.Length,
            Properties = new DocumentProperties { Encoding = encoding },
            Blocks = blocks,
            Outline = blocks.OfType<HeadingBlock>().Select(h => new OutlineEntry(h.Content, h.Level, null)).ToList(),
        };
    }

    internal static IReadOnlyList<Block> Parse(string text, CancellationToken cancellationToken)
    {
        var lines = text.ReplaceLineEndings("\n").Split('\n');
        var chunks = Chunks(lines);
        var blocks = new List<Block>();
        for (var i = 0; i < chunks.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (firstLine, chunk) = chunks[i];
            var location = SourceLocation.AtLine(firstLine);
            if (chunk.Count == 2 && Underline().IsMatch(chunk[1]) && IsHeadingText(chunk[0]))
            {
                blocks.Add(new HeadingBlock(chunk[1].TrimStart()[0] == '=' ? 1 : 2, chunk[0].Trim()) { Location = location });
            }
            else if (chunk.Count == 1 && IsHeadingText(chunk[0]) && i + 1 < chunks.Count
                     && ((blocks.Count == 0 && i == 0) || IsAllCaps(chunk[0])))
            {
                blocks.Add(new HeadingBlock(blocks.Count == 0 && i == 0 ? 1 : 2, chunk[0].Trim()) { Location = location });
            }
            else
            {
                AddTextChunk(chunk, firstLine, blocks);
            }
        }
        return blocks.Select((b, i) => b with { Location = b.Location with { Block = i } }).ToList();
    }

    /// <summary>Runs of non-blank lines with the 1-based number of their first line.</summary>
    private static List<(int FirstLine, List<string> Lines)> Chunks(string[] lines)
    {
        var chunks = new List<(int, List<string>)>();
        List<string>? current = null;
        for (var i = 0; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
            {
                current = null;
                continue;
            }
            if (current is null)
            {
                current = [];
                chunks.Add((i + 1, current));
            }
            current.Add(lines[i].TrimEnd());
        }
        return chunks;
    }

    private static void AddTextChunk(List<string> chunk, int firstLine, List<Block> blocks)
    {
        var paragraph = new List<string>();
        var paragraphLine = firstLine;
        // Builders, not strings: an item continued over many lines would otherwise be copied again for each line.
        List<StringBuilder>? items = null;
        var ordered = false;
        var listLine = firstLine;

        void FlushParagraph()
        {
            if (paragraph.Count > 0)
            {
                blocks.Add(new ParagraphBlock(string.Join('\n', paragraph.Select(l => l.Trim()))) { Location = SourceLocation.AtLine(paragraphLine) });
                paragraph.Clear();
            }
        }

        void FlushList()
        {
            if (items is { Count: > 0 })
            {
                blocks.Add(new ListBlock(ordered, items.Select(i => i.ToString()).ToList()) { Location = SourceLocation.AtLine(listLine) });
            }
            items = null;
        }

        for (var i = 0; i < chunk.Count; i++)
        {
            var line = chunk[i];
            if (ListMarkers.TryParse(line, out var isOrdered, out var item))
            {
                FlushParagraph();
                if (items is not null && isOrdered != ordered)
                {
                    FlushList();
                }
                if (items is null)
                {
                    items = [];
                    ordered = isOrdered;
                    listLine = firstLine + i;
                }
                items.Add(new StringBuilder(item));
            }
            else if (items is not null && line.Length > 0 && char.IsWhiteSpace(line[0]))
            {
                items[^1].Append(' ').Append(line.AsSpan().Trim()); // an indented line continues the item above
            }
            else
            {
                FlushList();
                if (paragraph.Count == 0)
                {
                    paragraphLine = firstLine + i;
                }
                paragraph.Add(line);
            }
        }
        FlushParagraph();
        FlushList();
    }

    private static bool IsHeadingText(string line)
    {
        var text = line.Trim();
        return text.Length is > 0 and <= MaxHeadingLength
            && text.Any(char.IsLetter)
            && !ListMarkers.TryParse(text, out _, out _)
            && !text.EndsWith('.') && !text.EndsWith(',') && !text.EndsWith(';') && !text.EndsWith(':');
    }

    private static bool IsAllCaps(string line)
    {
        var letters = line.Where(char.IsLetter).ToList();
        return letters.Count >= 3 && letters.All(char.IsUpper);
    }

    [GeneratedRegex(@"^\s*(?:={3,}|-{3,})\s*$")]
    private static partial Regex Underline();
}
