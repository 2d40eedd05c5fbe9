using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers.Text;
using Microsoft.Extensions.Options;
using Document = Annotate.Annotators.Documents.Document;

namespace Annotate.Annotators.Readers.Html;

/// <summary>
/// Reads a web page (HTML) with AngleSharp's HTML5 parser: the main content (<c>main</c>, <c>role="main"</c>, a single
/// <c>article</c>, else the body) without navigation, banners, sidebars, forms and cookie notices; headings,
/// paragraphs, lists, tables, links (as <c>text (https://…)</c>) and images' alternative text. The parser only builds a
/// tree: no script runs, no style applies, nothing is fetched (no browsing context, no loader). The tree is walked with
/// an explicit stack, so nesting cannot overflow the stack.
/// </summary>
public sealed partial class HtmlReader(IOptions<ReaderOptions> options) : IDocumentReader
{
    /// <summary>
    /// Deepest element nesting read as HTML. Browsers stop nesting at 512 levels; the HTML5 tree builder checks the
    /// stack of open elements on every tag, so its work grows with the square of the depth (100,000 nested
    /// <c>div</c>s take minutes). Deeper pages are read as plain text with <see cref="NestingNotice"/>.
    /// </summary>
    public const int MaxNestingDepth = 512;

    /// <summary>Notice code: the page nests too deep and was read as plain text.</summary>
    public const string NestingNotice = "nesting-too-deep";

    // Elements that never hold others, and those whose start closes an open one of their kind (no nesting from them).
    private static readonly HashSet<string> NeverNest = new(StringComparer.OrdinalIgnoreCase)
    {
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr", "param",
        "p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "!doctype", "html", "head", "body",
    };

    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "template", "nav", "aside", "form", "iframe", "object", "embed", "svg", "math",
        "canvas", "button", "select", "input", "textarea", "dialog", "head", "video", "audio",
    };

    private static readonly HashSet<string> BlockTags = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "header", "footer", "blockquote", "pre", "address", "figure", "figcaption",
        "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "hr", "body", "details", "summary",
    };

    // Class or id words that mark boilerplate on pages that do not use the semantic elements.
    private static readonly HashSet<string> BoilerplateWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "nav", "navbar", "navigation", "menu", "breadcrumb", "breadcrumbs", "sidebar", "cookie", "cookies", "cookie-banner",
        "consent", "skip-link", "site-header", "site-footer", "share", "social",
    };

    private static readonly HashSet<string> BoilerplateRoles = new(StringComparer.OrdinalIgnoreCase)
    {
        "navigation", "banner", "contentinfo", "complementary", "search", "dialog", "alertdialog",
    };

    /// <inheritdoc />
    public SourceFormat Format => SourceFormat.Html;

    /// <inheritdoc />
    public async Task<Document> ReadAsync(DocumentSource source, CancellationToken cancellationToken)
    {
        var limit = options.Value.MaxHtmlBytes;
        if (source.Length > limit)
        {
            throw ZipPackageLimits.TooLarge(source.FileName,
                $"it is {source.Length.ToString("N0", CultureInfo.InvariantCulture)} bytes of HTML, more than {limit.ToString("N0", CultureInfo.InvariantCulture)} (Annotate:Readers:MaxHtmlBytes)");
        }
        var bytes = await File.ReadAllBytesAsync(source.Path, cancellationToken).ConfigureAwait(false);
        var text = TextDecoding.Decode(bytes, out var encoding);
        if (EstimatedDepth(text, MaxNestingDepth, cancellationToken) > MaxNestingDepth)
        {
            return new Document
            {
                FileName = source.FileName,
                Format = SourceFormat.Html,
                SizeBytes = bytes.Length,
                Properties = new DocumentProperties { Encoding = encoding },
                Blocks = AsPlainText(text, cancellationToken),
                Notices = [TooDeep(source.FileName)],
            };
        }
        var page = new HtmlParser(new HtmlParserOptions { IsScripting = false }).ParseDocument(text);
        var walker = new Walker(cancellationToken);
        walker.Walk(MainContent(page));
        var blocks = walker.Blocks;
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Html,
            SizeBytes = bytes.Length,
            Properties = new DocumentProperties
            {
                Title = Clean(page.Title),
                Author = Clean(Meta(page, "author")),
                Subject = Clean(Meta(page, "description")),
                Keywords = Clean(Meta(page, "keywords")),
                Encoding = encoding,
            },
            Blocks = blocks,
            Outline = blocks.OfType<HeadingBlock>().Select(h => new OutlineEntry(h.Content, h.Level, null)).ToList(),
        };
    }

    /// <summary>
    /// The main content of an HTML text as blocks, the way a web page is read (an e-mail's HTML body): a text nesting
    /// elements too deep is read as plain text, and the notice saying so is added to <paramref name="notices"/>.
    /// </summary>
    public static IReadOnlyList<Block> ReadBlocks(string html, string fileName, ICollection<Notice> notices, CancellationToken cancellationToken)
    {
        if (EstimatedDepth(html, MaxNestingDepth, cancellationToken) > MaxNestingDepth)
        {
            notices.Add(TooDeep(fileName));
            return AsPlainText(html, cancellationToken);
        }
        var walker = new Walker(cancellationToken);
        walker.Walk(MainContent(new HtmlParser(new HtmlParserOptions { IsScripting = false }).ParseDocument(html)));
        return walker.Blocks;
    }

    private static IReadOnlyList<Block> AsPlainText(string html, CancellationToken cancellationToken) =>
        PlainTextReader.Parse(WebUtility.HtmlDecode(Tag().Replace(html, " ")), cancellationToken);

    private static Notice TooDeep(string fileName) =>
        new(NestingNotice, $"'{fileName}' nests elements more than {MaxNestingDepth} levels deep, so it was read as plain text: its text is all there, its structure is not.")
        { Source = "html" };

    /// <summary>
    /// How deep the page's elements nest, estimated in one linear pass over its tags (start tags of elements that can
    /// nest, minus end tags), stopping once past <paramref name="limit"/>. Sloppy pages that leave elements open count
    /// deeper than they are, which only matters past the limit.
    /// </summary>
    internal static int EstimatedDepth(string html, int limit, CancellationToken cancellationToken)
    {
        var depth = 0;
        var deepest = 0;
        var tags = 0;
        for (var match = Tag().Match(html); match.Success && deepest <= limit; match = match.NextMatch())
        {
            if (++tags % 65536 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var closing = match.Groups[1].Length > 0;
            var name = match.Groups[2].Value;
            if (closing)
            {
                depth = Math.Max(0, depth - (NeverNest.Contains(name) ? 0 : 1));
            }
            else if (!NeverNest.Contains(name) && !match.Value.EndsWith("/>", StringComparison.Ordinal))
            {
                deepest = Math.Max(deepest, ++depth);
            }
        }
        return deepest;
    }

    [GeneratedRegex(@"<(/?)([A-Za-z!][A-Za-z0-9:-]{0,63})\b[^<>]{0,4096}>?")]
    private static partial Regex Tag();

    /// <summary>The element that holds the page's own content: main, role=main, the only article, else the body.</summary>
    private static IElement MainContent(IHtmlDocument page)
    {
        var main = page.QuerySelector("main") ?? page.QuerySelector("[role=main]");
        if (main is not null)
        {
            return main;
        }
        var articles = page.QuerySelectorAll("article");
        if (articles.Length == 1)
        {
            return articles[0];
        }
        return (IElement?)page.Body ?? page.DocumentElement;
    }

    private static string? Meta(IHtmlDocument page, string name) =>
        page.QuerySelectorAll("meta[name]")
            .FirstOrDefault(m => string.Equals(m.GetAttribute("name"), name, StringComparison.OrdinalIgnoreCase))
            ?.GetAttribute("content");

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : Whitespace().Replace(value, " ").Trim();

    private static bool IsBoilerplate(IElement element, IElement root)
    {
        if (ReferenceEquals(element, root))
        {
            return false;
        }
        if (Skipped.Contains(element.LocalName) || element.HasAttribute("hidden")
            || string.Equals(element.GetAttribute("aria-hidden"), "true", StringComparison.OrdinalIgnoreCase)
            || (element.GetAttribute("role") is { } role && BoilerplateRoles.Contains(role)))
        {
            return true;
        }
        // A page header or footer, not an article's own.
        if (element.LocalName is "header" or "footer" && element.Closest("article, main, [role=main]") is null)
        {
            return true;
        }
        return element.ClassList.Any(BoilerplateWords.Contains) || (element.Id is { } id && BoilerplateWords.Contains(id));
    }

    private static bool IsSafeLink(string? href) =>
        Uri.TryCreate(href, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto";

    [GeneratedRegex(@"[ \t\r\n\f\u00A0]+")]
    private static partial Regex Whitespace();

    /// <summary>Walks the content tree once, in document order, with an explicit stack.</summary>
    private sealed class Walker(CancellationToken cancellationToken)
    {
        // Stands for <br> until the text is normalised: Unicode's line separator, which whitespace rules leave alone.
        private const char LineBreak = '\u2028';

        private readonly List<Block> _blocks = [];
        private readonly StringBuilder _inline = new();
        private readonly Stack<(List<string> Items, bool Ordered)> _lists = new();
        private readonly Stack<int> _links = new();
        private int? _heading;
        private int _pre;
        private int _tables;
        private IElement _root = null!;

        public IReadOnlyList<Block> Blocks => _blocks;

        public void Walk(IElement root)
        {
            _root = root;
            var frames = new Stack<(INode Node, bool Exit)>();
            frames.Push((root, false));
            var steps = 0;
            while (frames.TryPop(out var frame))
            {
                if (++steps % 4096 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                if (frame.Exit)
                {
                    Exit((IElement)frame.Node);
                    continue;
                }
                switch (frame.Node)
                {
                    case IText text:
                        _inline.Append(text.Data);
                        continue;
                    case IElement element:
                        if (IsBoilerplate(element, _root))
                        {
                            continue;
                        }
                        if (Enter(element))
                        {
                            frames.Push((element, true));
                            for (var child = element.LastChild; child is not null; child = child.PreviousSibling)
                            {
                                frames.Push((child, false));
                            }
                        }
                        continue;
                }
            }
            Flush();
            CloseAllLists();
        }

        /// <summary>Handles an element's start; false when its children are not walked.</summary>
        private bool Enter(IElement element)
        {
            var tag = element.LocalName;
            switch (tag)
            {
                case "br":
                    _inline.Append(LineBreak);
                    return false;
                case "img":
                    if (element.GetAttribute("alt") is { Length: > 0 } alt && !string.IsNullOrWhiteSpace(alt))
                    {
                        _inline.Append(" [image: ").Append(alt.Trim()).Append("] ");
                    }
                    return false;
                case "table":
                    Flush();
                    AddTable((IHtmlTableElement)element);
                    return false;
                case "a":
                    // Where the link's text starts, so its end looks at that text alone.
                    _links.Push(_inline.Length);
                    return true;
            }
            if (BlockTags.Contains(tag))
            {
                Flush();
                if (tag.Length == 2 && tag[0] == 'h' && tag[1] is >= '1' and <= '6')
                {
                    _heading = tag[1] - '0';
                }
                else if (tag is "ul" or "ol")
                {
                    // A list inside a list item adds its items to the outer list, after the item's own text.
                    _lists.Push((_lists.Count > 0 ? _lists.Peek().Items : [], tag == "ol"));
                }
                else if (tag == "pre")
                {
                    _pre++;
                }
            }
            return true;
        }

        private void Exit(IElement element)
        {
            var tag = element.LocalName;
            if (tag == "a" && _links.TryPop(out var start) && element.GetAttribute("href") is { } href && IsSafeLink(href))
            {
                // A block inside the link flushed the text before it: then only what follows counts as its text.
                start = Math.Min(start, _inline.Length);
                if (!_inline.ToString(start, _inline.Length - start).Contains(href, StringComparison.Ordinal))
                {
                    _inline.Append(" (").Append(href).Append(')');
                }
            }
            if (!BlockTags.Contains(tag))
            {
                return;
            }
            Flush();
            if (tag.Length == 2 && tag[0] == 'h' && tag[1] is >= '1' and <= '6')
            {
                _heading = null;
            }
            else if (tag is "ul" or "ol" && _lists.TryPop(out var list) && _lists.Count == 0 && list.Items.Count > 0)
            {
                Append(new ListBlock(list.Ordered, list.Items));
            }
            else if (tag == "pre")
            {
                _pre--;
            }
        }

        private void Flush()
        {
            if (_inline.Length == 0)
            {
                return;
            }
            var raw = _inline.ToString();
            _inline.Clear();
            // Line breaks in the markup are spaces; only <br> (and a <pre>'s own lines) break a line.
            var text = _pre > 0
                ? raw.Replace(LineBreak, '\n').ReplaceLineEndings("\n").Trim('\n')
                : string.Join('\n', raw.Split(LineBreak).Select(l => Whitespace().Replace(l, " ").Trim()).Where(l => l.Length > 0));
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }
            if (_heading is { } level)
            {
                Append(new HeadingBlock(level, text.Replace('\n', ' ')));
            }
            else if (_lists.Count > 0)
            {
                _lists.Peek().Items.Add(text);
            }
            else
            {
                Append(new ParagraphBlock(text));
            }
        }

        private void CloseAllLists()
        {
            List<string>? outermost = null;
            var ordered = false;
            while (_lists.TryPop(out var list))
            {
                (outermost, ordered) = (list.Items, list.Ordered);
            }
            if (outermost is { Count: > 0 })
            {
                Append(new ListBlock(ordered, outermost));
            }
        }

        private void AddTable(IHtmlTableElement table)
        {
            var rows = new List<List<string>>();
            var header = table.Head is not null;
            foreach (var row in table.Rows)
            {
                var cells = new List<string>();
                foreach (var cell in row.Cells)
                {
                    cells.Add(CellText(cell));
                    for (var span = 1; span < Math.Clamp(cell.ColumnSpan, 1, 63); span++)
                    {
                        cells.Add(string.Empty);
                    }
                }
                if (rows.Count == 0 && row.Cells.Length > 0 && row.Cells.All(c => c.LocalName == "th"))
                {
                    header = true;
                }
                rows.Add(cells);
            }
            if (rows.Count == 0 || rows.All(r => r.All(string.IsNullOrEmpty)))
            {
                return;
            }
            var width = rows.Max(r => r.Count);
            _tables++;
            var columns = header
                ? Enumerable.Range(0, width).Select(i => i < rows[0].Count && rows[0][i].Length > 0 ? rows[0][i] : $"Column{i + 1}").ToList()
                : Enumerable.Range(0, width).Select(i => $"Column{i + 1}").ToList();
            var data = rows.Skip(header ? 1 : 0)
                .Select((cells, i) => new Documents.TableRow(i + (header ? 2 : 1),
                    Enumerable.Range(0, width).Select(c => c < cells.Count ? CellValueParser.Parse(cells[c]) : CellValue.Empty).ToList()))
                .ToList();
            Append(new TableBlock
            {
                Name = table.Caption?.TextContent is { Length: > 0 } caption ? Whitespace().Replace(caption, " ").Trim() : $"Table{_tables}",
                Columns = columns,
                HasHeaderRow = header,
                Rows = new InMemoryRows(data),
            });
        }

        /// <summary>A cell's text on one line, boilerplate and scripts left out, without recursion.</summary>
        private string CellText(IElement cell)
        {
            var text = new StringBuilder();
            var pending = new Stack<INode>();
            pending.Push(cell);
            while (pending.TryPop(out var node))
            {
                if (node is IText t)
                {
                    text.Append(t.Data).Append(' ');
                    continue;
                }
                if (node is IElement e && !ReferenceEquals(e, cell) && IsBoilerplate(e, _root))
                {
                    continue;
                }
                for (var child = node.LastChild; child is not null; child = child.PreviousSibling)
                {
                    pending.Push(child);
                }
            }
            return Whitespace().Replace(text.ToString(), " ").Trim();
        }

        private void Append(Block block) => _blocks.Add(block with { Location = new SourceLocation { Block = _blocks.Count } });
    }
}
