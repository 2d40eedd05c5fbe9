using Annotate.Annotators.Evaluation;
using Annotate.Annotators.Tests.Embeddings;
using Microsoft.Extensions.Time.Testing;

namespace Annotate.Annotators.Tests.Evaluation;

[Collection(EmbedderCollection.Name)]
public sealed class EvaluatorTests(EmbedderFixture fixture) : IDisposable
{
    private readonly EvaluationSet _set = new();
    private readonly EvaluationOptions _options = new();

    private async Task<(Evaluator Evaluator, EvaluationRun Run)> EvaluateAsync(string results)
    {
        var evaluator = new Evaluator(fixture.Embedder, new FakeTimeProvider(new DateTimeOffset(2024, 3, 21, 8, 0, 0, TimeSpan.Zero)));
        var references = new ReferenceReader(_options).ReadFolder(_set.References);
        var produced = await ResultsReader.ReadFolderAsync(results, _options, CancellationToken.None);
        return (evaluator, evaluator.Evaluate("run-a", references, produced));
    }

    [Fact]
    public async Task Hand_made_set_gives_the_counts_worked_out_by_hand()
    {
        var (_, run) = await EvaluateAsync(_set.Results);

        Assert.Equal(4, run.References);
        Assert.Equal(3, run.Evaluated);
        Assert.Equal(["missing.pdf"], run.MissingDocuments);
        Assert.Equal(["unrelated.txt"], run.ExtraDocuments);
        Assert.Equal(1, run.SupersededResults);

        var s = run.Structured;
        Assert.Equal((12, 5, 5, 1, 1), (s.Compared, s.Exact, s.Normalised, s.Wrong, s.Missing));
        Assert.Equal(Math.Round(10 / 12.0, 4), s.Accuracy);
        Assert.Equal(Math.Round(5 / 12.0, 4), s.ExactAccuracy);
        Assert.Equal((9, 7), (s.WithGrounding, s.Grounded));
        Assert.Equal(Math.Round(7 / 9.0, 4), s.GroundedRate);

        var t = run.Text;
        Assert.Equal((4, 2, 0, 1, 1), (t.Compared, t.StronglySimilar, t.SomewhatSimilar, t.NotSimilar, t.Missing));

        FieldSummary Field(string name) => Assert.Single(run.Fields, f => f.Field == name);
        Assert.Equal((2, 1, 0, 1, 0.5), (Field("documentType").Compared, Field("documentType").Exact, Field("documentType").Normalised, Field("documentType").Wrong, Field("documentType").Accuracy!.Value));
        Assert.Equal((2, 0, 2, 1.0, 0.0), (Field("fields.total").Compared, Field("fields.total").Exact, Field("fields.total").Normalised, Field("fields.total").Accuracy!.Value, Field("fields.total").ExactAccuracy!.Value));
        Assert.Equal((2, 0, 2), (Field("fields.issueDate").Compared, Field("fields.issueDate").Exact, Field("fields.issueDate").Normalised));
        Assert.Equal((1, 1), (Field("fields.seller").Exact, Field("fields.seller").Normalised));
        Assert.Equal((1, 1, 0.0), (Field("fields.dueDate").Compared, Field("fields.dueDate").Missing, Field("fields.dueDate").Accuracy!.Value));
        Assert.Equal((1, 1), (Field("keyValues.invoice-number").Compared, Field("keyValues.invoice-number").Exact));
        Assert.Equal(1.0, Field("fields.invoiceNumber").Accuracy);
        Assert.Equal("text", Field("summary").Kind);
        Assert.Equal(1, Field("title").Missing);
    }

    [Fact]
    public async Task Identical_texts_are_strongly_similar_and_unrelated_texts_are_not()
    {
        var (_, run) = await EvaluateAsync(_set.Results);
        var values = run.Documents.SelectMany(d => d.Values.Select(v => (d.Document, v))).ToList();

        var identical = Assert.Single(values, x => x.Document == "invoice-1.pdf" && x.v.Field == "summary").v;
        Assert.Equal(1.0, identical.Similarity!.Value, 3);
        Assert.Equal("strongly-similar", identical.Outcome);

        var unrelated = Assert.Single(values, x => x.Document == "letter" && x.v.Field == "summary").v;
        Assert.True(unrelated.Similarity < 0.4, $"similarity {unrelated.Similarity}");
        Assert.Equal("not-similar", unrelated.Outcome);

        // The reference question is paired with the produced question most like it, not the first one.
        var answer = Assert.Single(values, x => x.v.Field == "qa").v;
        Assert.Equal("Who signed the letter?", answer.ProducedQuestion);
        Assert.Equal(1.0, answer.Similarity!.Value, 3);
        Assert.Equal(run.Similarities.Order(), new[] { unrelated.Similarity!.Value, answer.Similarity.Value, identical.Similarity.Value }.Order());
    }

    [Theory]
    [InlineData(0.5, "strongly-similar")]
    [InlineData(0.95, "strongly-similar")]
    [InlineData(0.4999, "somewhat-similar")]
    [InlineData(0.4, "somewhat-similar")]
    [InlineData(0.3999, "not-similar")]
    [InlineData(-0.2, "not-similar")]
    public void Buckets_are_the_fields_thresholds(double similarity, string bucket) =>
        Assert.Equal(bucket, Evaluator.Bucket(similarity));

    [Fact]
    public async Task Two_runs_side_by_side_give_each_accuracy_and_the_difference()
    {
        var (evaluator, a) = await EvaluateAsync(_set.Results);
        var references = new ReferenceReader(_options).ReadFolder(_set.References);
        var b = evaluator.Evaluate("run-b", references, await ResultsReader.ReadFolderAsync(_set.ResultsB, _options, CancellationToken.None));

        var report = evaluator.Report(a, b);

        var type = Assert.Single(report.Differences!, d => d.Field == "documentType");
        Assert.Equal((0.5, 1.0, 0.5), (type.AccuracyA!.Value, type.AccuracyB!.Value, type.AccuracyDelta!.Value));
        var structured = report.Differences![0];
        Assert.Equal("structured (all)", structured.Field);
        Assert.Equal(Math.Round(11 / 12.0, 4), structured.AccuracyB);
        Assert.Equal(Math.Round(Math.Round(11 / 12.0, 4) - Math.Round(10 / 12.0, 4), 4), structured.AccuracyDelta);
        var summary = Assert.Single(report.Differences!, d => d.Field == "summary");
        Assert.Equal(0.0, summary.SimilarityMedianDelta);

        var markdown = EvaluationMarkdown.Write(report);
        Assert.Contains("# Evaluation: run-a (A) vs run-b (B)", markdown, StringComparison.Ordinal);
        Assert.Contains("| documentType | structured | 50.0 % | 100.0 % | +50.0 pt |", markdown, StringComparison.Ordinal);
        Assert.Contains("## Run B: run-b", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markdown_report_holds_the_hand_counted_numbers()
    {
        var (evaluator, run) = await EvaluateAsync(_set.Results);

        var markdown = EvaluationMarkdown.Write(evaluator.Report(run));

        Assert.Contains("- evaluated (reference and result): 3", markdown, StringComparison.Ordinal);
        Assert.Contains("- missing (reference, no result): 1: `missing.pdf`", markdown, StringComparison.Ordinal);
        Assert.Contains("- extra (result, no reference; not evaluated): 1: `unrelated.txt`", markdown, StringComparison.Ordinal);
        Assert.Contains("| structured (all) | 12 | 5 | 5 | 1 | 1 | 83.3 % | 41.7 % | 77.8 % (7/9) |", markdown, StringComparison.Ordinal);
        Assert.Contains("| fields.total | 2 | 0 | 2 | 0 | 0 | 100.0 % | 0.0 % |", markdown, StringComparison.Ordinal);
        Assert.Contains("| text (all) | 4 | 2 | 0 | 1 | 1 |", markdown, StringComparison.Ordinal);
        Assert.Contains("| invoice-2.pdf | documentType | invoice | receipt | wrong |", markdown, StringComparison.Ordinal);
        Assert.Contains("![Similarity of text fields to the references](similarity.png)", markdown, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Histogram_is_a_real_png_of_the_requested_size()
    {
        var (evaluator, a) = await EvaluateAsync(_set.Results);

        var png = SimilarityHistogram.Render(evaluator.Report(a, a with { Label = "again" }), 640, 360);

        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(png, 12, 4));
        Assert.Equal(640, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4)));
        Assert.Equal(360, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4)));
        Assert.True(png.Length > 2000, $"{png.Length} bytes");
    }

    public void Dispose() => _set.Dispose();
}
