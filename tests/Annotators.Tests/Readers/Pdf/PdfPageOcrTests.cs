using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Pdf;

namespace Annotate.Annotators.Tests.Readers.Pdf;

/// <summary>Recognised pages against the bound on positioned words that the text layer's pages keep to.</summary>
public class PdfPageOcrTests
{
    private static PdfPageText Page(int number, int words, bool recognised) =>
        new(number, [], 10, HasText: true, HasImages: recognised)
        {
            Words = Enumerable.Range(0, words).Select(i => new PageWord($"w{number}-{i}", new PageBox(i, 0, i + 1, 1))).ToList(),
            Recognised = recognised,
        };

    [Fact]
    public void Recognised_words_count_against_the_bound_and_pages_past_it_keep_no_boxes()
    {
        List<PdfPageText> pages = [Page(1, 3, recognised: false), Page(2, 3, recognised: true), Page(3, 2, recognised: true)];

        var bounded = PdfPageOcr.BoundWords(pages, max: 5);

        Assert.Equal([3, 0, 0], bounded.Select(p => p.Words.Count));
        Assert.All(bounded, p => Assert.True(p.HasText));
        Assert.Equal([3, 3, 2], PdfPageOcr.BoundWords(pages, max: 8).Select(p => p.Words.Count));
    }
}
