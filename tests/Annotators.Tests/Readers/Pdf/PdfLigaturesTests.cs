using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Pdf;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Annotate.Annotators.Tests.Readers.Pdf;

public class PdfLigaturesTests
{
    [Fact]
    public void Every_ligature_of_the_block_is_expanded_into_its_letters()
    {
        Assert.Equal("ff fi fl ffi ffl st st", PdfLigatures.Expand("\uFB00 \uFB01 \uFB02 \uFB03 \uFB04 \uFB05 \uFB06"));
        Assert.Equal("misfits differently office", PdfLigatures.Expand("mis\uFB01ts di\uFB00erently o\uFB03ce"));
    }

    [Fact]
    public void Text_without_ligatures_is_returned_as_it_is()
    {
        const string text = "plain text with \uFB07 just past the block";

        Assert.Same(text, PdfLigatures.Expand(text));
    }

    [Fact]
    public async Task Pdf_text_holds_no_ligature_characters()
    {
        // pdfTeX set "filled" on page 1 with the fi ligature glyph.
        var document = await new PdfReader(NullLogger<PdfReader>.Instance).ReadAsync(new DocumentSource(TestFiles.Corpus("pdf/multicolumn.pdf"), "multicolumn.pdf"), CancellationToken.None);

        Assert.Contains("two columns filled with Lorem Ipsum", document.Pages[0], StringComparison.Ordinal);
        Assert.All(document.Blocks, b => Assert.False(b.Text.AsSpan().ContainsAnyInRange('\uFB00', '\uFB06'), b.Text));
        Assert.All(document.Pages, p => Assert.False(p.AsSpan().ContainsAnyInRange('\uFB00', '\uFB06'), p));
    }
}
