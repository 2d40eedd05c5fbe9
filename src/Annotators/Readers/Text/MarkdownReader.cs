using System.Text;
using Annotate.Annotators.Documents;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax.Inlines;
using Block = Annotate.Annotators.Documents.Block;
using Md = Markdig.Syntax;

namespace Annotate.Annotators.Readers.Text;

/// <summary>
/// Reads Markdown with Markdig (CommonMark plus pipe tables and YAML front matter): headings with levels,
/// paragraphs, lists, pipe tables as tables, code blocks as paragraphs, each with its line number. Markdown nested
/// deeper than <see cref="MaxNestingDepth"/> is read as plain text with the notice <see cref="NestingNotice"/>.
/// </summary>
public sealed class MarkdownReader : IDocumentReader
{
    /// <summary>
    /// Deepest nesting of lists and block quotes read as Markdown. No sensible document comes near it, and it stays
    /// well under Markdig's own limit (128), which Markdig only reaches after work that grows with the depth.
    /// </summary>
    public const int MaxNestingDepth = 64;

    /// <summary>Notice raised when a file nests too deeply to be read as Markdown and is read as plain text.</summary>
    public const string NestingNotice = "nesting-too-deep";

    /// <summary>Name used as <see cref="Notice.Source"/>.</summary>
    public const string NoticeSource = "markdown";

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseYamlFrontMatter()
        .Build();

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Markdown;

    /// <inheritdoc />
    public async Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        var bytes = await File.ReadAllBytesAsync(source.Path, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, out var encoding);
        if (MarkdownNesting.DeepestBound(text, MaxNestingDepth) > MaxNestingDepth)
        {
            return AsPlainText(source, text, encoding, bytes.Length, cancellationToken);
        }
        Md.MarkdownDocument markdown;
        try
        {
            markdown = Markdown.Parse(text, Pipeline);
        }
        catch (ArgumentException ex) when (ex.Message.Contains("depth limit", StringComparison.Ordinal))
        {
            // Nesting the line scan cannot see (inline nesting, giant tables) still hits Markdig's own limit.
            return AsPlainText(source, text, encoding, bytes.Length, cancellationToken);
        }
        var blocks = new List<Block>();
        string? title = null;
        Walk(markdown, blocks, ref title, cancellationToken);
        var indexed = blocks.Select((b, i) => b with { Location = b.Location with { Block = i } }).ToList();
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Markdown,
            SizeBytes = bytes.Length,
            Properties = new DocumentProperties { Encoding = encoding, Title = title },
            Blocks = indexed,
            Outline = indexed.OfType<HeadingBlock>().Select(h => new OutlineEntry(h.Content, h.Level, null)).ToList(),
        };
    }

    /// <summary>The file read as plain text: a user would rather have its text than nothing.</summary>
    private static Document AsPlainText(DocumentSource source, string text, string encoding, long size, CancellationToken cancellationToken)
    {
        var blocks = PlainTextReader.Parse(text, cancellationToken);
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Markdown,
            SizeBytes = size,
            Properties = new DocumentProperties { Encoding = encoding },
            Blocks = blocks,
            Outline = blocks.OfType<HeadingBlock>().Select(h => new OutlineEntry(h.Content, h.Level, null)).ToList(),
            Notices =
            [
                new Notice(NestingNotice,
                    $"'{source.FileName}' nests lists or block quotes more than {MaxNestingDepth} levels deep, so it was read as plain text: its text is all there, its Markdown structure is not.")
                { Source = NoticeSource },
            ],
        };
    }

    private static void Walk(Md.ContainerBlock container, List<Block> blocks, ref string? title, CancellationToken cancellationToken)
    {
        foreach (var block in container)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var location = SourceLocation.AtLine(block.Line + 1);
            switch (block)
            {
                case YamlFrontMatterBlock yaml:
                    title = FrontMatterTitle(yaml);
                    break;
                case Md.HeadingBlock heading:
                    blocks.Add(new Documents.HeadingBlock(heading.Level, InlineText(heading.Inline).Trim()) { Location = location });
                    break;
                case Md.ParagraphBlock paragraph:
                    AddIfText(new Documents.ParagraphBlock(InlineText(paragraph.Inline).Trim()) { Location = location }, blocks);
                    break;
                case Md.CodeBlock code:
                    AddIfText(new Documents.ParagraphBlock(code.Lines.ToString().TrimEnd()) { Location = location }, blocks);
                    break;
                case Md.ListBlock list:
                    var items = new List<string>();
                    CollectItems(list, items);
                    if (items.Count > 0)
                    {
                        blocks.Add(new Documents.ListBlock(list.IsOrdered, items) { Location = location });
                    }
                    break;
                case Table table:
                    blocks.Add(ToTable(table, blocks.OfType<TableBlock>().Count() + 1) with { Location = location });
                    break;
                case Md.QuoteBlock quote:
                    Walk(quote, blocks, ref title, cancellationToken);
                    break;
                case Md.ContainerBlock other and not Md.ListBlock:
                    Walk(other, blocks, ref title, cancellationToken);
                    break;
            }
        }
    }

    private static void AddIfText(Block block, List<Block> blocks)
    {
        if (!string.IsNullOrWhiteSpace(block.Text))
        {
            blocks.Add(block);
        }
    }

    /// <summary>Items of a list: each item's own text; items of nested lists follow their parent item.</summary>
    private static void CollectItems(Md.ListBlock list, List<string> items)
    {
        foreach (var item in list.OfType<Md.ListItemBlock>())
        {
            var text = new List<string>();
            var nested = new List<Md.ListBlock>();
            foreach (var child in item)
            {
                switch (child)
                {
                    case Md.ParagraphBlock paragraph:
                        text.Add(InlineText(paragraph.Inline).Trim());
                        break;
                    case Md.CodeBlock code:
                        text.Add(code.Lines.ToString().Trim());
                        break;
                    case Md.ListBlock sub:
                        nested.Add(sub);
                        break;
                }
            }
            if (text.Count > 0)
            {
                items.Add(string.Join(' ', text));
            }
            foreach (var sub in nested)
            {
                CollectItems(sub, items);
            }
        }
    }

    private static TableBlock ToTable(Table table, int number)
    {
        var rows = table.OfType<Markdig.Extensions.Tables.TableRow>()
            .Select(row => (row.IsHeader, row.Line, Cells: row.OfType<TableCell>().Select(CellText).ToList()))
            .ToList();
        var width = rows.Count == 0 ? 0 : rows.Max(r => r.Cells.Count);
        var header = rows.FirstOrDefault(r => r.IsHeader);
        var hasHeader = header.Cells is not null;
        var columns = Enumerable.Range(0, width)
            .Select(i => hasHeader && i < header.Cells!.Count && header.Cells[i].Length > 0 ? header.Cells[i] : $"Column{i + 1}")
            .ToList();
        var data = rows.Where(r => !r.IsHeader)
            .Select(r => new Documents.TableRow(r.Line + 1,
                Enumerable.Range(0, width).Select(i => i < r.Cells.Count ? CellValueParser.Parse(r.Cells[i]) : CellValue.Empty).ToList()))
            .ToList();
        return new TableBlock
        {
            Name = $"Table{number}",
            Columns = columns,
            HasHeaderRow = hasHeader,
            Rows = new InMemoryRows(data),
            FirstRow = rows.Count > 0 ? rows[0].Line + 1 : 1,
        };
    }

    private static string CellText(TableCell cell) =>
        string.Join(' ', cell.OfType<Md.ParagraphBlock>().Select(p => InlineText(p.Inline).Trim()));

    private static string InlineText(ContainerInline? inline)
    {
        var text = new StringBuilder();
        AppendInline(inline, text);
        return text.ToString();
    }

    private static void AppendInline(Inline? inline, StringBuilder text)
    {
        switch (inline)
        {
            case null:
                return;
            case LiteralInline literal:
                text.Append(literal.Content.AsSpan());
                break;
            case CodeInline code:
                text.Append(code.Content);
                break;
            case LineBreakInline lineBreak:
                text.Append(lineBreak.IsHard ? '\n' : ' ');
                break;
            case HtmlEntityInline entity:
                text.Append(entity.Transcoded.AsSpan());
                break;
            case AutolinkInline autolink:
                text.Append(autolink.Url);
                break;
            case ContainerInline container:
                foreach (var child in container)
                {
                    AppendInline(child, text);
                }
                break;
        }
    }

    private static string? FrontMatterTitle(YamlFrontMatterBlock yaml)
    {
        foreach (var line in yaml.Lines.Lines.Select(l => l.ToString()))
        {
            if (line.StartsWith("title:", StringComparison.OrdinalIgnoreCase))
            {
                var value = line["title:".Length..].Trim().Trim('"', '\'');
                return value.Length > 0 ? value : null;
            }
        }
        return null;
    }
}
