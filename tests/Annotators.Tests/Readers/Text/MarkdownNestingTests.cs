using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers.Text;

public class MarkdownNestingTests
{
    private const string NestingNotice = "nesting-too-deep";

    private static async Task<Document> Read(string markdown)
    {
        using var dir = new TempDir();
        await File.WriteAllTextAsync(dir.File("deep.md"), markdown, new UTF8Encoding(false));
        return await new MarkdownReader().ReadAsync(new DocumentSource(dir.File("deep.md"), "deep.md"), CancellationToken.None);
    }

    /// <summary>Each list item indented two columns deeper than the one before: about 9 MB for 3,000 levels.</summary>
    private static string IndentedList(int levels)
    {
        var text = new StringBuilder("# Deep\n\n");
        for (var i = 0; i < levels; i++)
        {
            text.Append(' ', 2 * i).Append("- item ").Append(i).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>A block quote one level deeper on each line.</summary>
    private static string QuoteLines(int levels)
    {
        var text = new StringBuilder();
        for (var i = 1; i <= levels; i++)
        {
            text.Insert(text.Length, "> ", i).Append("quote ").Append(i).Append('\n');
        }
        return text.ToString();
    }

    /// <summary>Generated inputs by name (the name keeps megabytes out of the test's display name) and the text of their deepest level.</summary>
    private static (string Markdown, string Deepest) Deep(string shape) => shape switch
    {
        "3,000 indented list levels" => (IndentedList(3_000), "item 2999"),
        "3,000 block quote levels, one per line" => (QuoteLines(3_000), "quote 3000"),
        "100,000 list levels on one line" => (string.Concat(Enumerable.Repeat("- ", 100_000)) + "bottom of the list\n", "bottom of the list"),
        "100,000 block quote levels on one line" => (string.Concat(Enumerable.Repeat("> ", 100_000)) + "bottom of the quote\n", "bottom of the quote"),
        "100,000 ordered list levels on one line" => (string.Concat(Enumerable.Repeat("1. ", 100_000)) + "bottom of the numbers\n", "bottom of the numbers"),
        "100,000 quote markers without spaces" => (new string('>', 100_000) + " no spaces\n", "no spaces"),
        "3,000 list levels split by bare carriage returns" => (string.Concat(Enumerable.Range(0, 3_000).Select(i => new string(' ', 2 * i) + "- cr " + i + "\r")), "cr 2999"),
        "3,000 list levels indented by tabs" => (string.Concat(Enumerable.Range(0, 3_000).Select(i => new string('\t', i) + "- tab " + i + "\n")), "tab 2999"),
        _ => throw new ArgumentOutOfRangeException(nameof(shape), shape, null),
    };

    [Theory]
    [InlineData("3,000 indented list levels")]
    [InlineData("3,000 block quote levels, one per line")]
    [InlineData("100,000 list levels on one line")]
    [InlineData("100,000 block quote levels on one line")]
    [InlineData("100,000 ordered list levels on one line")]
    [InlineData("100,000 quote markers without spaces")]
    [InlineData("3,000 list levels split by bare carriage returns")]
    [InlineData("3,000 list levels indented by tabs")]
    public async Task Markdown_nested_too_deeply_is_read_as_plain_text_with_a_notice(string shape)
    {
        var (markdown, deepest) = Deep(shape);

        var document = await Read(markdown);

        Assert.Equal(SourceFormat.Markdown, document.Format);
        var notice = Assert.Single(document.Notices, n => n.Code == NestingNotice);
        Assert.Contains("'deep.md'", notice.Message, StringComparison.Ordinal);
        Assert.Contains(document.Blocks, b => b.Text.Contains(deepest, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Reasonable_nesting_is_still_read_as_markdown()
    {
        var markdown = IndentedList(12) + "\n" + string.Concat(Enumerable.Repeat("> ", 12)) + "a quote\n";

        var document = await Read(markdown);

        Assert.DoesNotContain(document.Notices, n => n.Code == NestingNotice);
        Assert.Equal(new HeadingBlock(1, "Deep") { Location = new SourceLocation { Line = 1, Block = 0 } }, document.Blocks[0]);
        var list = Assert.IsType<ListBlock>(document.Blocks[1]);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => "item " + i), list.Items);
        Assert.Contains(document.Blocks, b => b is ParagraphBlock { Content: "a quote" });
    }
}
