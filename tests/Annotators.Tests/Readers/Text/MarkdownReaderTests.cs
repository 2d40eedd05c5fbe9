using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers.Text;

public class MarkdownReaderTests
{
    private readonly MarkdownReader _reader = new();

    private async Task<Document> Read(string markdown)
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File("readme.md"), markdown, new UTF8Encoding(false));
        return await _reader.ReadAsync(new DocumentSource(dir.File("readme.md"), "readme.md"), CancellationToken.None);
    }

    [Fact]
    public async Task Headings_paragraphs_lists_tables_and_code_are_read_with_line_numbers()
    {
        const string markdown = """
            # Release notes

            This release brings **faster** imports and [better docs](https://example.org).

            ## Changes

            - Import is *twice* as fast
            - New `--dry-run` flag
              - nested detail

            1. Back up
            2. Upgrade

            | Module | Version | Date |
            |--------|--------:|------|
            | core   | 2.1     | 2024-05-01 |
            | cli \| tools | 3 | 2024-05-02 |

            ```
            annotate --dry-run
            ```
            """;

        var document = await Read(markdown);

        Assert.Collection(document.Blocks,
            b => Assert.Equal(new HeadingBlock(1, "Release notes") { Location = new SourceLocation { Line = 1, Block = 0 } }, b),
            b =>
            {
                Assert.Equal("This release brings faster imports and better docs.", Assert.IsType<ParagraphBlock>(b).Content);
                Assert.Equal(3, b.Location.Line);
            },
            b => Assert.Equal(new HeadingBlock(2, "Changes") { Location = new SourceLocation { Line = 5, Block = 2 } }, b),
            b =>
            {
                var list = Assert.IsType<ListBlock>(b);
                Assert.False(list.Ordered);
                Assert.Equal(["Import is twice as fast", "New --dry-run flag", "nested detail"], list.Items);
                Assert.Equal(7, b.Location.Line);
            },
            b =>
            {
                var list = Assert.IsType<ListBlock>(b);
                Assert.True(list.Ordered);
                Assert.Equal(["Back up", "Upgrade"], list.Items);
            },
            b =>
            {
                var table = Assert.IsType<TableBlock>(b);
                Assert.Equal(14, b.Location.Line);
                Assert.True(table.HasHeaderRow);
                Assert.Equal(["Module", "Version", "Date"], table.Columns);
                var rows = table.Rows.ToList();
                Assert.Equal(2, rows.Count);
                Assert.Equal(16, rows[0].Number);
                Assert.Equal(2.1, rows[0].Cells[1].Number);
                Assert.Equal(new DateTime(2024, 5, 1), rows[0].Cells[2].DateTime);
                Assert.Equal("cli | tools", rows[1].Cells[0].Text);
            },
            b => Assert.Equal("annotate --dry-run", Assert.IsType<ParagraphBlock>(b).Content));
        Assert.Equal(["Release notes", "Changes"], document.Outline.Select(o => o.Title));
        Assert.Equal([1, 2], document.Outline.Select(o => o.Level));
        Assert.Equal("utf-8", document.Properties.Encoding);
    }

    [Fact]
    public async Task Front_matter_title_becomes_the_title_and_is_not_content()
    {
        var document = await Read("---\ntitle: \"Handbook\"\nauthor: ops\n---\n\nWelcome.\n");

        Assert.Equal("Handbook", document.Properties.Title);
        var paragraph = Assert.IsType<ParagraphBlock>(Assert.Single(document.Blocks));
        Assert.Equal("Welcome.", paragraph.Content);
        Assert.Equal(6, paragraph.Location.Line);
    }
}
