using Annotate.Annotators.Annotations;
using Annotate.Annotators.Embeddings;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Semantic;
using Annotate.Annotators.Tests.Embeddings;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.Semantic;

[Collection(EmbedderCollection.Name)]
public class DocumentTypeAnnotatorTests(EmbedderFixture fixture, ITestOutputHelper output)
{
    private readonly DocumentTypeAnnotator _annotator = new(fixture.Embedder, Options.Create(new SemanticOptions()));

    [Fact]
    public async Task A_generated_labelled_set_in_three_languages_is_classified_at_least_80_percent_correct_against_the_default_taxonomy()
    {
        var set = LabelledDocuments.All();
        Assert.True(set.GroupBy(d => d.Label).Count() >= 6 && set.GroupBy(d => d.Label).All(g => g.Count() >= 5));
        Assert.True(set.Select(d => d.Language).Distinct().Count() >= 3);

        var correct = 0;
        foreach (var (label, language, markdown) in set)
        {
            var context = await SemanticTestDocuments.Context(markdown);
            Assert.Equal(AnnotatorOutcome.Done, await _annotator.AnnotateAsync(context, CancellationToken.None));
            var found = context.Annotations.DocumentType!;
            correct += found.Label == label ? 1 : 0;
            output.WriteLine($"{label,-18} {language} -> {found.Label,-18} {found.Score:F3}  ({string.Join(", ", found.Scores.Take(3).Select(s => $"{s.Label} {s.Score:F3}"))})");
        }

        var accuracy = (double)correct / set.Count;
        output.WriteLine($"accuracy {accuracy:P1} ({correct}/{set.Count})");
        Assert.True(accuracy >= 0.8, $"accuracy {accuracy:P1} ({correct}/{set.Count})");
    }

    [Fact]
    public async Task The_8_bit_encoder_classifies_the_labelled_set_as_well_and_mostly_as_the_32_bit_one_does()
    {
        using var int8 = EmbedderFixture.Create(new EmbeddingOptions { Precision = EncoderPrecision.Int8 });
        var quantized = new DocumentTypeAnnotator(int8, Options.Create(new SemanticOptions()));
        var set = LabelledDocuments.All();

        var correct = 0;
        var same = 0;
        foreach (var (label, language, markdown) in set)
        {
            var expected = await SemanticTestDocuments.Context(markdown);
            await _annotator.AnnotateAsync(expected, CancellationToken.None);
            var actual = await SemanticTestDocuments.Context(markdown);
            Assert.Equal(AnnotatorOutcome.Done, await quantized.AnnotateAsync(actual, CancellationToken.None));
            correct += actual.Annotations.DocumentType!.Label == label ? 1 : 0;
            same += actual.Annotations.DocumentType!.Label == expected.Annotations.DocumentType!.Label ? 1 : 0;
            output.WriteLine($"{label,-18} {language} -> 32-bit {expected.Annotations.DocumentType!.Label,-18} {expected.Annotations.DocumentType!.Score:F3}, 8-bit {actual.Annotations.DocumentType!.Label,-18} {actual.Annotations.DocumentType!.Score:F3}");
        }

        output.WriteLine($"8-bit accuracy {correct}/{set.Count}, the same label as 32-bit {same}/{set.Count}");
        Assert.True((double)correct / set.Count >= 0.8, $"accuracy {correct}/{set.Count}");
        Assert.True((double)same / set.Count >= 0.9, $"the same label {same}/{set.Count}");
    }

    [Fact]
    public async Task Every_label_of_the_taxonomy_but_other_is_scored_and_the_finding_points_at_the_text_compared()
    {
        var context = await SemanticTestDocuments.Context(LabelledDocuments.All(1)[0].Markdown);

        await _annotator.AnnotateAsync(context, CancellationToken.None);

        var found = context.Annotations.DocumentType!;
        Assert.Equal(DocumentTypeTaxonomy.DefaultLabels.Where(l => l != "other").Order(), found.Scores.Select(s => s.Label).Order());
        Assert.Equal(found.Scores.OrderByDescending(s => s.Score).Select(s => s.Label), found.Scores.Select(s => s.Label));
        Assert.Equal(0, found.Location.Block);
        Assert.Equal(1, found.Location.Line);
        Assert.InRange(found.Characters, 100, new SemanticOptions().DocumentTypeCharacters);
        Assert.Equal("document-type", found.Annotator);
    }

    [Fact]
    public async Task A_profile_taxonomy_with_its_own_descriptions_is_used_and_a_weak_best_score_is_unknown()
    {
        var profile = new AnnotationProfile
        {
            Name = "fleet",
            Taxonomy = ["vehicle-log", "fuel-card-statement", "other"],
            DocumentTypes = new(StringComparer.OrdinalIgnoreCase)
            {
                ["vehicle-log"] = "Vehicle logbook. Date, driver, start mileage, end mileage, kilometres driven, purpose of the trip.",
            },
        };
        var log = await SemanticTestDocuments.Context("""
            # Fahrtenbuch / vehicle logbook – car HH-AB 123
            | Date | Driver | Start mileage | End mileage | km | Purpose of trip |
            |---|---|---|---|---|---|
            | 2025-03-03 | J. Carter | 48 210 | 48 342 | 132 | customer visit Leeds |
            | 2025-03-04 | J. Carter | 48 342 | 48 390 | 48 | office |
            """, profile);
        var poem = await SemanticTestDocuments.Context("The autumn leaves drift slowly down to the river, and the heron waits in silence.", profile);

        await _annotator.AnnotateAsync(log, CancellationToken.None);
        await _annotator.AnnotateAsync(poem, CancellationToken.None);

        Assert.Equal("vehicle-log", log.Annotations.DocumentType!.Label);
        Assert.Equal(["fuel-card-statement", "vehicle-log"], log.Annotations.DocumentType.Scores.Select(s => s.Label).Order());
        Assert.Equal("unknown", poem.Annotations.DocumentType!.Label);
        Assert.True(poem.Annotations.DocumentType.Score < poem.Annotations.DocumentType.Threshold);
    }

    [Fact]
    public async Task A_document_without_text_is_skipped_with_a_reason()
    {
        var context = await SemanticTestDocuments.Context("---\n\n| 1 | 2 |\n|---|---|\n| 3 | 4 |\n");

        var outcome = await _annotator.AnnotateAsync(context, CancellationToken.None);

        Assert.False(outcome.Ran);
        Assert.Equal("no text to tell the document type from", outcome.Reason);
        Assert.Null(context.Annotations.DocumentType);
    }
}
