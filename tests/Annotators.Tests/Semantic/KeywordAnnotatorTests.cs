using Annotate.Annotators.Annotations;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Semantic;
using Annotate.Annotators.Tests.Embeddings;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.Semantic;

[Collection(EmbedderCollection.Name)]
public class KeywordAnnotatorTests(EmbedderFixture fixture, ITestOutputHelper output)
{
    private readonly KeywordAnnotator _annotator = new(fixture.Embedder, Options.Create(new SemanticOptions { KeywordsByDefault = true }));

    internal const string HeatPumps = """
        # Heating the office with heat pumps

        Our facilities team reviewed how the building is heated. The old gas boiler is twenty-two years old and needs replacing before next winter.
        An air-source heat pump takes heat from the outside air and moves it indoors, even when the temperature is below freezing.
        Because a heat pump moves heat instead of burning fuel, it delivers three to four units of heat for every unit of electricity.
        The installer recommends two heat pumps of 12 kW each, larger radiators on the north side and better insulation of the roof.
        With the current electricity tariff the running costs would fall by about 30 percent, and carbon emissions by more than half.
        A government grant covers up to 40 percent of the installation cost if the work is finished this year.
        The board is asked to approve the budget so the heat pump installation can start in May.
        """;

    [Fact]
    public async Task A_document_about_heat_pumps_has_heat_pumps_among_its_keywords_each_pointing_at_its_first_occurrence()
    {
        var context = await SemanticTestDocuments.Context(HeatPumps);

        Assert.Equal(AnnotatorOutcome.Done, await _annotator.AnnotateAsync(context, CancellationToken.None));

        var keywords = context.Annotations.Keywords;
        output.WriteLine(string.Join(", ", keywords.Select(k => $"{k.Phrase} {k.Score:F3}")));
        Assert.Equal(new AnnotationProfile().KeywordCount, keywords.Count);
        Assert.Contains(keywords, k => k.Phrase.Contains("heat pump", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(keywords, k => k.Phrase.Contains("twenty-two", StringComparison.OrdinalIgnoreCase));
        foreach (var keyword in keywords)
        {
            var block = context.Document.Blocks[keyword.Location.Block!.Value].Text;
            Assert.Equal(keyword.Phrase, block.Substring(keyword.Location.Offset!.Value, keyword.Location.Length!.Value));
            Assert.Equal("keywords", keyword.Annotator);
        }
    }

    [Fact]
    public async Task A_german_document_about_solar_power_names_it()
    {
        var context = await SemanticTestDocuments.Context("""
            Die Photovoltaikanlage auf dem Dach des Lagers wurde im März in Betrieb genommen.
            Die Solarmodule erzeugen im Jahr rund 85.000 Kilowattstunden Strom.
            Der erzeugte Solarstrom deckt etwa 60 Prozent des Strombedarfs der Halle.
            Überschüssiger Strom wird in das Netz eingespeist und vergütet.
            Ein Batteriespeicher soll im nächsten Jahr ergänzt werden.
            """, new AnnotationProfile { KeywordCount = 4 });

        await _annotator.AnnotateAsync(context, CancellationToken.None);

        output.WriteLine(string.Join(", ", context.Annotations.Keywords.Select(k => $"{k.Phrase} {k.Score:F3}")));
        Assert.Equal(4, context.Annotations.Keywords.Count);
        Assert.Contains(context.Annotations.Keywords, k => k.Phrase.Contains("solar", StringComparison.OrdinalIgnoreCase)
            || k.Phrase.Contains("photovoltaik", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_document_without_words_and_a_profile_without_keywords_are_skipped_with_a_reason()
    {
        var numbers = await SemanticTestDocuments.Context("12 34 56\n\n78.90 - 11");
        var none = await SemanticTestDocuments.Context(HeatPumps, new AnnotationProfile { KeywordCount = 0 });

        var noWords = await _annotator.AnnotateAsync(numbers, CancellationToken.None);
        var off = await _annotator.AnnotateAsync(none, CancellationToken.None);

        Assert.Equal("no running text to take keywords from", noWords.Reason);
        Assert.Contains("KeywordCount 0", off.Reason);
        Assert.Empty(numbers.Annotations.Keywords);
        Assert.Empty(none.Annotations.Keywords);
    }

    [Fact]
    public async Task Off_by_default_it_runs_only_for_a_profile_that_names_it()
    {
        var annotator = new KeywordAnnotator(fixture.Embedder, Options.Create(new SemanticOptions()));
        var all = await SemanticTestDocuments.Context(HeatPumps);
        var named = await SemanticTestDocuments.Context(HeatPumps, new AnnotationProfile { Name = "topics", Annotators = ["keywords"], KeywordCount = 3 });

        var skipped = await annotator.AnnotateAsync(all, CancellationToken.None);
        var ran = await annotator.AnnotateAsync(named, CancellationToken.None);

        Assert.False(skipped.Ran);
        Assert.Contains("KeywordsByDefault", skipped.Reason);
        Assert.Empty(all.Annotations.Keywords);
        Assert.True(ran.Ran);
        Assert.Equal(3, named.Annotations.Keywords.Count);
    }

    [Fact]
    public void Maximal_marginal_relevance_passes_over_a_near_copy_of_a_chosen_phrase_when_diversity_is_high()
    {
        float[][] vectors = [[1, 0, 0], [0.99f, 0.14f, 0], [0, 1, 0]];
        float[] relevance = [0.9f, 0.89f, 0.6f];

        var diverse = KeywordAnnotator.MaximalMarginalRelevance(vectors, relevance, 2, 0.5);
        var relevant = KeywordAnnotator.MaximalMarginalRelevance(vectors, relevance, 2, 0.0);

        Assert.Equal([0, 2], diverse);
        Assert.Equal([0, 1], relevant);
    }
}
