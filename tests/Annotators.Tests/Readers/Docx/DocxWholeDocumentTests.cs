using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Docx;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using Annotate.Annotators.Writers.Markdown;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Extensions.Options;
using Document = Annotate.Annotators.Documents.Document;

namespace Annotate.Annotators.Tests.Readers.Docx;

/// <summary>
/// Everything a Word file says beyond its body's paragraphs: headers and footers, footnotes, endnotes, comments, text
/// boxes, tracked changes, images' alternative text and list numbers. Each file is written part by part as Word writes
/// it (raw WordprocessingML), so the reader meets the markup it meets in real files.
/// </summary>
public class DocxWholeDocumentTests
{
    private const string Namespaces =
        """xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:v="urn:schemas-microsoft-com:vml" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" mc:Ignorable="wps" """;

    private readonly DocxReader _reader = new(Options.Create(new ReaderOptions()));

    [Fact]
    public async Task A_text_box_is_read_once_as_its_own_block_after_the_paragraph_that_anchors_it()
    {
        using var dir = new TempDir();
        var path = dir.File("drawing.docx");
        Write(path, Body(
            $"""<w:p><w:r><w:t xml:space="preserve">See the figure. </w:t></w:r><w:r>{TextBox("Datum plane")}</w:r></w:p>"""
            + Paragraph("The tolerance applies to every face.")));

        var document = await Read(path);

        Assert.Equal(["See the figure.", "Datum plane", "The tolerance applies to every face."], document.Blocks.Select(b => b.Text));
        Assert.Equal([BlockRole.Body, BlockRole.TextBox, BlockRole.Body], document.Blocks.Select(b => b.Role));
    }

    [Fact]
    public async Task Headers_and_footers_are_read_once_and_marked()
    {
        using var dir = new TempDir();
        var path = dir.File("letter.docx");
        const string letterhead = "ACME Industrial GmbH · Hafenstraße 4 · 20457 Hamburg · VAT DE811234567";
        Write(path, Body(Paragraph("Dear Ms Novak,") + Paragraph("thank you for your order.")),
            headers: [Paragraph(letterhead), Paragraph(letterhead)],
            footers: [Paragraph("Commerzbank · IBAN DE89 3704 0044 0532 0130 00")]);

        var document = await Read(path);

        Assert.Equal([letterhead, "Dear Ms Novak,", "thank you for your order.", "Commerzbank · IBAN DE89 3704 0044 0532 0130 00"],
            document.Blocks.Select(b => b.Text));
        Assert.Equal([BlockRole.Header, BlockRole.Body, BlockRole.Body, BlockRole.Footer], document.Blocks.Select(b => b.Role));
        var markdown = await Markdown(document);
        Assert.Contains("<!-- header -->\n\n" + letterhead + "\n\n<!-- /header -->", markdown);
        Assert.Contains("<!-- footer -->", markdown);
        Assert.Equal(1, Occurrences(markdown, "ACME Industrial GmbH"));
    }

    [Fact]
    public async Task Footnotes_endnotes_and_comments_are_linked_from_where_the_text_refers_to_them()
    {
        using var dir = new TempDir();
        var path = dir.File("terms.docx");
        Write(path, Body(
                """<w:p><w:r><w:t xml:space="preserve">Prices are fixed until May</w:t></w:r><w:r><w:footnoteReference w:id="1"/></w:r><w:r><w:t xml:space="preserve"> and delivery is </w:t></w:r><w:commentRangeStart w:id="0"/><w:r><w:t>free of charge</w:t></w:r><w:commentRangeEnd w:id="0"/><w:r><w:commentReference w:id="0"/></w:r><w:r><w:t>.</w:t></w:r><w:r><w:endnoteReference w:id="2"/></w:r></w:p>"""),
            footnotes: """<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote><w:footnote w:id="0" w:type="continuationSeparator"><w:p><w:r><w:continuationSeparator/></w:r></w:p></w:footnote><w:footnote w:id="1"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> Prices exclude VAT.</w:t></w:r></w:p></w:footnote>""",
            endnotes: """<w:endnote w:id="2"><w:p><w:r><w:endnoteRef/></w:r><w:r><w:t xml:space="preserve"> Terms of 1 January 2024.</w:t></w:r></w:p></w:endnote>""",
            comments: """<w:comment w:id="0" w:author="Jane Doe" w:date="2024-03-01T10:00:00Z"><w:p><w:r><w:t>Only within Germany.</w:t></w:r></w:p></w:comment>""");

        var document = await Read(path);

        var body = Assert.IsType<ParagraphBlock>(document.Blocks[0]);
        Assert.Equal("Prices are fixed until May[^1] and delivery is free of charge[^c0].[^e2]", body.Content);
        Assert.Equal(["1", "c0", "e2"], body.NoteReferences);
        var notes = document.Blocks.OfType<NoteBlock>().ToList();
        Assert.Equal(["1", "c0", "e2"], notes.Select(n => n.Label));
        Assert.Equal("Prices exclude VAT.", notes[0].Content);
        Assert.Equal("Comment by Jane Doe on “free of charge”: Only within Germany.", notes[1].Content);
        Assert.Equal("Terms of 1 January 2024.", notes[2].Content);
        Assert.Equal([BlockRole.Footnote, BlockRole.Comment, BlockRole.Endnote], notes.Select(n => n.Role));

        var markdown = await Markdown(document);
        Assert.Contains("Prices are fixed until May[^1] and delivery is free of charge[^c0].[^e2]", markdown);
        Assert.Contains("[^1]: Prices exclude VAT.", markdown);
        Assert.Contains("[^c0]: Comment by Jane Doe on “free of charge”: Only within Germany.", markdown);
    }

    [Fact]
    public async Task Tracked_changes_are_read_accepted_with_a_notice()
    {
        using var dir = new TempDir();
        var path = dir.File("offer.docx");
        Write(path, Body(
            """<w:p><w:r><w:t xml:space="preserve">The total is </w:t></w:r><w:del w:id="1" w:author="Tom"><w:r><w:delText>100</w:delText></w:r></w:del><w:ins w:id="2" w:author="Tom"><w:r><w:t>120</w:t></w:r></w:ins><w:r><w:t xml:space="preserve"> EUR</w:t></w:r><w:moveFrom w:id="3" w:author="Tom"><w:r><w:t xml:space="preserve"> net</w:t></w:r></w:moveFrom><w:r><w:t>.</w:t></w:r></w:p>"""));

        var document = await Read(path);

        Assert.Equal("The total is 120 EUR.", Assert.Single(document.Blocks).Text);
        var notice = Assert.Single(document.Notices);
        Assert.Equal(DocxReader.TrackedChangesNotice, notice.Code);
        Assert.Contains("'offer.docx'", notice.Message);
    }

    [Fact]
    public async Task A_document_without_tracked_changes_has_no_notice()
    {
        using var dir = new TempDir();
        var path = dir.File("plain.docx");
        Write(path, Body(Paragraph("Nothing was changed here.")));

        Assert.Empty((await Read(path)).Notices);
    }

    [Fact]
    public async Task An_images_alternative_text_is_read_where_the_image_stands()
    {
        using var dir = new TempDir();
        var path = dir.File("logo.docx");
        Write(path, Body(
            """<w:p><w:r><w:t xml:space="preserve">Issued by</w:t></w:r><w:r><w:drawing><wp:inline><wp:extent cx="100" cy="100"/><wp:docPr id="1" name="Picture 1" descr="ACME logo, a blue anvil"/></wp:inline></w:drawing></w:r></w:p>"""));

        var document = await Read(path);

        Assert.Equal("Issued by [image: ACME logo, a blue anvil]", Assert.Single(document.Blocks).Text);
    }

    [Fact]
    public async Task Numbered_lists_keep_the_numbers_Word_shows()
    {
        using var dir = new TempDir();
        var path = dir.File("steps.docx");
        Write(path, Body(Item(1, 0, "Remove the cover") + Item(1, 0, "Loosen the bolts") + Item(1, 1, "Top bolt first") + Item(1, 1, "Then the bottom one")
                + Item(1, 0, "Lift the motor") + Paragraph("Take care.") + Item(2, 0, "Clean the seat") + Item(2, 0, "Refit")),
            numbering: """
                <w:abstractNum w:abstractNumId="0"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%1."/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="lowerLetter"/><w:lvlText w:val="%1.%2)"/></w:lvl></w:abstractNum>
                <w:num w:numId="1"><w:abstractNumId w:val="0"/></w:num>
                <w:num w:numId="2"><w:abstractNumId w:val="0"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="7"/></w:lvlOverride></w:num>
                """);

        var document = await Read(path);

        var lists = document.Blocks.OfType<ListBlock>().ToList();
        Assert.Equal(["1.", "2.", "2.a)", "2.b)", "3."], lists[0].Numbers);
        Assert.Equal(["7.", "8."], lists[1].Numbers);
        var markdown = await Markdown(document);
        Assert.Contains("- 2.a) Top bolt first", markdown);
        Assert.Contains("7. Clean the seat\n8. Refit", markdown);
    }

    private Task<Document> Read(string path) =>
        _reader.ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None);

    private static async Task<string> Markdown(Document document)
    {
        var writer = new StringWriter();
        await new MarkdownWriter(Options.Create(new MarkdownWriterOptions())).WriteAsync(document, writer, CancellationToken.None);
        return writer.ToString().ReplaceLineEndings("\n");
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var i = text.IndexOf(value, StringComparison.Ordinal); i >= 0; i = text.IndexOf(value, i + value.Length, StringComparison.Ordinal))
        {
            count++;
        }
        return count;
    }

    private static string Paragraph(string text) => $"""<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>""";

    private static string Item(int numberingId, int level, string text) =>
        $"""<w:p><w:pPr><w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{numberingId}"/></w:numPr></w:pPr><w:r><w:t>{text}</w:t></w:r></w:p>""";

    /// <summary>A text box as Word 2010 and later write it: DrawingML for new readers, VML as the fallback, the same text in both.</summary>
    private static string TextBox(string text) =>
        $"""<mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><wp:anchor><wp:docPr id="2" name="Text Box 2"/><a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape"><wps:wsp><wps:txbx><w:txbxContent>{Paragraph(text)}</w:txbxContent></wps:txbx></wps:wsp></a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice><mc:Fallback><w:pict><v:shape><v:textbox><w:txbxContent>{Paragraph(text)}</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback></mc:AlternateContent>""";

    private static string Body(string content) => $"<w:document {Namespaces}><w:body>{content}</w:body></w:document>";

    private static void Write(string path, string document, string[]? headers = null, string[]? footers = null,
        string? footnotes = null, string? endnotes = null, string? comments = null, string? numbering = null)
    {
        using var word = WordprocessingDocument.Create(path, DocumentFormat.OpenXml.WordprocessingDocumentType.Document);
        var main = word.AddMainDocumentPart();
        Feed(main, document);
        foreach (var header in headers ?? [])
        {
            Feed(main.AddNewPart<HeaderPart>(), $"<w:hdr {Namespaces}>{header}</w:hdr>");
        }
        foreach (var footer in footers ?? [])
        {
            Feed(main.AddNewPart<FooterPart>(), $"<w:ftr {Namespaces}>{footer}</w:ftr>");
        }
        if (footnotes is not null)
        {
            Feed(main.AddNewPart<FootnotesPart>(), $"<w:footnotes {Namespaces}>{footnotes}</w:footnotes>");
        }
        if (endnotes is not null)
        {
            Feed(main.AddNewPart<EndnotesPart>(), $"<w:endnotes {Namespaces}>{endnotes}</w:endnotes>");
        }
        if (comments is not null)
        {
            Feed(main.AddNewPart<WordprocessingCommentsPart>(), $"<w:comments {Namespaces}>{comments}</w:comments>");
        }
        if (numbering is not null)
        {
            Feed(main.AddNewPart<NumberingDefinitionsPart>(), $"<w:numbering {Namespaces}>{numbering}</w:numbering>");
        }
    }

    private static void Feed(OpenXmlPart part, string xml)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        part.FeedData(stream);
    }
}
