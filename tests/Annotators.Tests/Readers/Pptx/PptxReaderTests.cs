using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pptx;
using Annotate.Annotators.Tests.Support;
using DocumentFormat.OpenXml.Packaging;
using Microsoft.Extensions.Options;
using Document = Annotate.Annotators.Documents.Document;

namespace Annotate.Annotators.Tests.Readers.Pptx;

/// <summary>Slide decks written part by part as PowerPoint writes them (raw PresentationML), read and annotated.</summary>
public class PptxReaderTests
{
    private const string Namespaces =
        """xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" """;

    [Fact]
    public async Task Slides_are_read_in_order_with_titles_as_headings_text_in_reading_order_tables_and_notes()
    {
        using var dir = new TempDir();
        var path = dir.File("review.pptx");
        WriteDeck(path);

        var document = await new PptxReader(Options.Create(new ReaderOptions())).ReadAsync(new DocumentSource(path, "review.pptx"), CancellationToken.None);

        Assert.Equal(SourceFormat.Pptx, document.Format);
        Assert.Equal(3, document.Properties.PageCount);
        Assert.Collection(document.Blocks,
            b => Assert.Equal(("Slide 1: Quarterly review", 1), (Assert.IsType<HeadingBlock>(b).Content, b.Location.Page!.Value)),
            // The shape placed higher on the slide comes first, whatever its place in the file.
            b => Assert.Equal(("Confidential", 1), (Assert.IsType<ParagraphBlock>(b).Content, b.Location.Page!.Value)),
            b => Assert.Equal(["Revenue up 12%", "Costs flat"], Assert.IsType<ListBlock>(b).Items),
            b => Assert.Equal("Slide 2", Assert.IsType<HeadingBlock>(b).Content),
            b =>
            {
                var table = Assert.IsType<TableBlock>(b);
                Assert.Equal(["Region", "Revenue"], table.Columns);
                var rows = table.Rows.ToList();
                Assert.Equal(["North", "South"], rows.Select(r => r.Cells[0].Text));
                Assert.Equal([1200d, 900d], rows.Select(r => r.Cells[1].Number!.Value));
                Assert.Equal(2, b.Location.Page);
            },
            b =>
            {
                Assert.Equal("Mention the new plant in Linz.", b.Text);
                Assert.Equal(BlockRole.SpeakerNotes, b.Role);
                Assert.Equal(2, b.Location.Page);
            },
            b => Assert.Equal("Slide 3: Appendix (hidden)", Assert.IsType<HeadingBlock>(b).Content),
            b => Assert.Equal("Figures are unaudited.", b.Text));
        Assert.Equal(3, document.Pages.Count);
        Assert.Contains("Region", document.Pages[1]);
    }

    [Fact]
    public async Task A_deck_is_detected_from_its_bytes_and_annotated_end_to_end()
    {
        using var dir = new TempDir();
        var path = dir.File("upload.bin");
        WriteDeck(path);
        Assert.Equal(SourceFormat.Pptx, new FormatDetector().Detect(new DocumentSource(path, "upload.bin")));

        var pipeline = TestPipeline.Create();
        var output = dir.File("out");
        var result = await pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "deck-1",
            Source = new DocumentSource(path, "review.pptx"),
            OutputDirectory = output,
        }, CancellationToken.None);

        var markdown = (await File.ReadAllTextAsync(Path.Combine(output, "content.md"))).ReplaceLineEndings("\n");
        Assert.Contains("## Slide 1: Quarterly review", markdown);
        Assert.Contains("<!-- page 2 -->", markdown);
        Assert.Contains("> **Notes:** Mention the new plant in Linz.", markdown);
        Assert.Contains("| North | 1200 |", markdown);
        var json = await File.ReadAllTextAsync(Path.Combine(output, "annotations.json"));
        Assert.Contains("\"format\": \"pptx\"", json);
        Assert.Contains(result.Annotations.Entities, e => e.Text.Contains("Linz", StringComparison.Ordinal) || e.Text.Contains("12%", StringComparison.Ordinal));
        Assert.True(File.Exists(Path.Combine(output, "original.pptx")));
    }

    [Fact]
    public async Task A_zip_that_claims_to_be_a_deck_but_is_damaged_fails_as_corrupt_naming_the_file()
    {
        using var dir = new TempDir();
        var path = dir.File("review.pptx");
        WriteDeck(path);
        var bytes = await File.ReadAllBytesAsync(path);
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length * 2 / 3)]);

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            new PptxReader(Options.Create(new ReaderOptions())).ReadAsync(new DocumentSource(path, "review.pptx"), CancellationToken.None));

        Assert.Equal(FailureReason.Corrupt, ex.Reason);
        Assert.Contains("'review.pptx'", ex.Message);
        Assert.DoesNotContain(dir.Path, ex.Message);
    }

    [Fact]
    public async Task More_slides_than_allowed_fail_as_too_large()
    {
        using var dir = new TempDir();
        var path = dir.File("review.pptx");
        WriteDeck(path);

        var ex = await Assert.ThrowsAsync<AnnotationException>(() =>
            new PptxReader(Options.Create(new ReaderOptions { MaxSlides = 2 })).ReadAsync(new DocumentSource(path, "review.pptx"), CancellationToken.None));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("MaxSlides", ex.Message);
    }

    private static void WriteDeck(string path)
    {
        using var deck = PresentationDocument.Create(path, DocumentFormat.OpenXml.PresentationDocumentType.Presentation);
        var presentation = deck.AddPresentationPart();
        var slides = new[]
        {
            Slide(Title("Quarterly review", y: 300) + TextShape(["Revenue up 12%", "Costs flat"], y: 2000, x: 400) + TextShape(["Confidential"], y: 1000, x: 6000)),
            Slide(TableFrame(["Region", "Revenue"], ["North", "1200"], ["South", "900"])),
            Slide(Title("Appendix", y: 300) + TextShape(["Figures are unaudited."], y: 1500, x: 400), hidden: true),
        };
        var ids = new StringBuilder();
        for (var i = 0; i < slides.Length; i++)
        {
            var part = presentation.AddNewPart<SlidePart>($"rId{i + 10}");
            Feed(part, slides[i]);
            if (i == 1)
            {
                Feed(part.AddNewPart<NotesSlidePart>(), $"""<p:notes {Namespaces}><p:cSld><p:spTree>{Placeholder("sldImg", [])}{Placeholder("body", ["Mention the new plant in Linz."])}</p:spTree></p:cSld></p:notes>""");
            }
            ids.Append($"""<p:sldId id="{256 + i}" r:id="rId{i + 10}"/>""");
        }
        Feed(presentation, $"""<p:presentation {Namespaces}><p:sldIdLst>{ids}</p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/></p:presentation>""");
    }

    private static string Slide(string shapes, bool hidden = false) =>
        $"""<p:sld {Namespaces}{(hidden ? " show=\"0\"" : "")}><p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>{shapes}</p:spTree></p:cSld></p:sld>""";

    private static string Title(string text, long y) =>
        $"""<p:sp><p:nvSpPr><p:cNvPr id="2" name="Title"/><p:cNvSpPr/><p:nvPr><p:ph type="title"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x="400" y="{y}"/><a:ext cx="8000" cy="800"/></a:xfrm></p:spPr>{Body([text])}</p:sp>""";

    private static string TextShape(string[] lines, long y, long x) =>
        $"""<p:sp><p:nvSpPr><p:cNvPr id="3" name="Text"/><p:cNvSpPr txBox="1"/><p:nvPr/></p:nvSpPr><p:spPr><a:xfrm><a:off x="{x}" y="{y}"/><a:ext cx="3000" cy="800"/></a:xfrm></p:spPr>{Body(lines)}</p:sp>""";

    private static string Placeholder(string type, string[] lines) =>
        $"""<p:sp><p:nvSpPr><p:cNvPr id="4" name="{type}"/><p:cNvSpPr/><p:nvPr><p:ph type="{type}"/></p:nvPr></p:nvSpPr><p:spPr/>{Body(lines)}</p:sp>""";

    private static string Body(string[] lines) =>
        "<p:txBody><a:bodyPr/>" + string.Concat(lines.Select(l => $"<a:p><a:r><a:t>{l}</a:t></a:r></a:p>")) + "</p:txBody>";

    private static string TableFrame(params string[][] rows) =>
        $"""<p:graphicFrame><p:nvGraphicFramePr><p:cNvPr id="5" name="Table"/><p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr><p:xfrm><a:off x="400" y="1200"/><a:ext cx="6000" cy="2000"/></p:xfrm><a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/table"><a:tbl><a:tblGrid><a:gridCol w="3000"/><a:gridCol w="3000"/></a:tblGrid>"""
        + string.Concat(rows.Select(r => "<a:tr h=\"300\">" + string.Concat(r.Select(c => $"<a:tc><a:txBody><a:bodyPr/><a:p><a:r><a:t>{c}</a:t></a:r></a:p></a:txBody></a:tc>")) + "</a:tr>"))
        + "</a:tbl></a:graphicData></a:graphic></p:graphicFrame>";

    private static void Feed(OpenXmlPart part, string xml)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(xml));
        part.FeedData(stream);
    }
}
