using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Tests.Support;

namespace Annotate.Annotators.Tests.Readers.Text;

public class PlainTextReaderTests
{
    private readonly PlainTextReader _reader = new();

    private async Task<Document> Read(byte[] bytes, string name = "notes.txt")
    {
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File(name), bytes);
        return await _reader.ReadAsync(new DocumentSource(dir.File(name), name), CancellationToken.None);
    }

    [Fact]
    public async Task Paragraphs_lists_and_a_title_are_found_with_their_line_numbers()
    {
        const string text = "Meeting notes\n\nWe met on Monday to plan the launch.\nEveryone attended.\n\n- book the venue\n- send invitations\n  to all partners\n\n1. Draft agenda\n2. Review budget\n\nThanks, Tom.\n";

        var document = await Read(Encoding.UTF8.GetBytes(text));

        Assert.Collection(document.Blocks,
            b =>
            {
                Assert.Equal(new HeadingBlock(1, "Meeting notes"), b with { Location = new SourceLocation() });
                Assert.Equal(1, b.Location.Line);
            },
            b =>
            {
                Assert.Equal("We met on Monday to plan the launch.\nEveryone attended.", Assert.IsType<ParagraphBlock>(b).Content);
                Assert.Equal(3, b.Location.Line);
            },
            b =>
            {
                var list = Assert.IsType<ListBlock>(b);
                Assert.False(list.Ordered);
                Assert.Equal(["book the venue", "send invitations to all partners"], list.Items);
                Assert.Equal(6, b.Location.Line);
            },
            b =>
            {
                var list = Assert.IsType<ListBlock>(b);
                Assert.True(list.Ordered);
                Assert.Equal(["Draft agenda", "Review budget"], list.Items);
                Assert.Equal(10, b.Location.Line);
            },
            b => Assert.Equal(13, b.Location.Line));
        Assert.Equal("utf-8", document.Properties.Encoding);
        Assert.Equal([new OutlineEntry("Meeting notes", 1, null)], document.Outline);
    }

    [Fact]
    public async Task A_first_line_that_reads_like_a_sentence_is_no_heading()
    {
        var document = await Read(Encoding.UTF8.GetBytes("Dear Sir or Madam,\n\nplease find the invoice attached.\n"));

        Assert.All(document.Blocks, b => Assert.IsType<ParagraphBlock>(b));
    }

    [Fact]
    public async Task Underlined_and_all_caps_lines_are_headings()
    {
        var document = await Read(Encoding.UTF8.GetBytes("Report\n======\n\nSome text here.\n\nSUMMARY\n\nAll good.\n"));

        Assert.Equal(new HeadingBlock(1, "Report"), document.Blocks[0] with { Location = new SourceLocation() });
        Assert.Equal(new HeadingBlock(2, "SUMMARY"), document.Blocks[2] with { Location = new SourceLocation() });
        Assert.Equal(6, document.Blocks[2].Location.Line);
    }

    [Fact]
    public async Task Windows_1252_text_and_crlf_line_endings_are_read()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
        var bytes = Encoding.GetEncoding(1252).GetBytes("Grüße aus Köln.\r\nZweite Zeile.\r\n\r\nNeuer Absatz.\r\n");

        var document = await Read(bytes);

        Assert.Equal("windows-1252", document.Properties.Encoding);
        Assert.Equal("Grüße aus Köln.\nZweite Zeile.", document.Blocks[0].Text);
        Assert.Equal(4, document.Blocks[1].Location.Line);
    }
}
