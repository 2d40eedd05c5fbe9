using System.Globalization;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Semantic;
using Annotate.Annotators.Tests.Embeddings;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.Semantic;

[Collection(EmbedderCollection.Name)]
public class ExtractiveSummaryAnnotatorTests(EmbedderFixture fixture, ITestOutputHelper output)
{
    private readonly ExtractiveSummaryAnnotator _annotator = new(fixture.Embedder, Options.Create(new SemanticOptions()));

    /// <summary>
    /// The context of <paramref name="text"/> read as a plain text file, which keeps its line breaks in a paragraph
    /// (Markdown reads them as spaces), with the default profile.
    /// </summary>
    private static async Task<AnnotationContext> PlainTextContext(string text)
    {
        using var dir = new TempDir();
        var path = dir.File("document.txt");
        await File.WriteAllTextAsync(path, text);
        var document = await new PlainTextReader().ReadAsync(new DocumentSource(path, "document.txt"), CancellationToken.None);
        return new AnnotationContext("doc-1", document, new AnnotationProfile());
    }

    [Fact]
    public async Task The_summary_sentences_come_from_the_document_in_their_original_order_within_the_word_bound()
    {
        var context = await SemanticTestDocuments.Context(KeywordAnnotatorTests.HeatPumps, new AnnotationProfile { SummaryMaxWords = 50 });

        Assert.Equal(AnnotatorOutcome.Done, await _annotator.AnnotateAsync(context, CancellationToken.None));

        var summary = context.Annotations.Summary!;
        output.WriteLine(summary.Text);
        Assert.True(summary.Sentences.Count >= 2, $"{summary.Sentences.Count} sentences");
        Assert.InRange(summary.Words, 1, 50);
        Assert.Equal(summary.Words, summary.Text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(string.Join(' ', summary.Sentences.Select(s => s.Text)), summary.Text);
        var positions = summary.Sentences.Select(s => (s.Location.Block!.Value, s.Location.Offset!.Value)).ToList();
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        foreach (var sentence in summary.Sentences)
        {
            var block = context.Document.Blocks[sentence.Location.Block!.Value].Text;
            Assert.Equal(sentence.Text, block.Substring(sentence.Location.Offset!.Value, sentence.Location.Length!.Value));
        }
        Assert.Equal(8, summary.SentencesRead);
        Assert.Equal(8, summary.SentencesCompared);
        Assert.DoesNotContain(summary.Sentences, s => s.Text.StartsWith("Heating the office", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Wrapped_text_is_summarised_by_its_sentences_which_read_on_one_line_in_the_summary()
    {
        var context = await PlainTextContext("""
            The heat pump installation will cut the running costs of
            the building by a third, the engineers expect, once the
            roof insulation is finished. The board approved the budget
            for the new heating system in its March meeting.
            """);

        await _annotator.AnnotateAsync(context, CancellationToken.None);

        var summary = context.Annotations.Summary!;
        Assert.Equal(2, summary.SentencesRead);
        Assert.Contains(summary.Sentences, s => s.Text == "The heat pump installation will cut the running costs of\nthe building by a third, the engineers expect, once the\nroof insulation is finished.");
        Assert.DoesNotContain('\n', summary.Text);
        Assert.StartsWith("The heat pump installation will cut the running costs of the building by a third,", summary.Text, StringComparison.Ordinal);
        Assert.Equal(summary.Words, summary.Text.Split(' ').Length);
    }

    [Fact]
    public async Task A_sentence_said_twice_is_summarised_once()
    {
        const string Repeated = "The heat pump installation will cut the running costs of the building by a third.";
        var context = await SemanticTestDocuments.Context($"""
            {Repeated}
            The board approved the budget for the new heating system.
            {Repeated}
            Work on the roof insulation starts in May and takes six weeks.
            """);

        await _annotator.AnnotateAsync(context, CancellationToken.None);

        Assert.Single(context.Annotations.Summary!.Sentences, s => s.Text == Repeated);
    }

    /// <summary>An invoice: a letterhead, label lines, four sentences, a table written as text, totals.</summary>
    private const string Invoice = """
        ACME Office Supplies GmbH
        Hauptstrasse 12, 10115 Berlin

        Invoice No.: INV-2024-0315
        Date: 12 March 2024
        Customer No.: C-10442
        Bill to: Northwind Traders Ltd, 4 Harbour Road, Leeds LS1 4AB
        Payment terms: 30 days net
        Payment method: Bank transfer

        Thank you for your order. We delivered the items below to your Leeds office on 10 March 2024.
        Please quote the invoice number with your payment so that we can match it to your account.

        Item                Qty   Unit price   Amount
        Copy paper A4       20    4.50         90.00
        Toner cartridge     2     68.00        136.00

        Net total: 226.00 EUR
        VAT 19%: 42.94 EUR
        Total: 268.94 EUR
        IBAN: DE89 3704 0044 0532 0130 00
        Questions about this invoice? Write to billing@acme.example or call +49 30 1234567.
        """;

    [Fact]
    public async Task An_invoice_is_summarised_by_its_sentences_not_by_its_label_lines_or_table_rows()
    {
        var context = await PlainTextContext(Invoice);

        Assert.Equal(AnnotatorOutcome.Done, await _annotator.AnnotateAsync(context, CancellationToken.None));

        var summary = context.Annotations.Summary!;
        output.WriteLine(summary.Text);
        // Every line of four words or more read; the five that end as sentences ("Questions about this invoice?" one of
        // them) compared, and the summary made of them.
        Assert.True(summary.SentencesRead > 10, $"{summary.SentencesRead} read");
        Assert.Equal(5, summary.SentencesCompared);
        Assert.NotEmpty(summary.Sentences);
        Assert.All(summary.Sentences, s => Assert.True(s.Text.EndsWith('.') || s.Text.EndsWith('?'), s.Text));
        Assert.DoesNotContain("Total:", summary.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Copy paper", summary.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_with_fewer_than_three_sentences_is_summarised_from_its_lines()
    {
        // The invoice with only two of its sentences: its label lines and rows are what there is to summarise.
        var form = Invoice.Replace("Thank you for your order. ", "", StringComparison.Ordinal)
            .Replace("Questions about this invoice? Write to billing@acme.example or call +49 30 1234567.", "", StringComparison.Ordinal);
        var context = await PlainTextContext(form);

        Assert.Equal(AnnotatorOutcome.Done, await _annotator.AnnotateAsync(context, CancellationToken.None));

        var summary = context.Annotations.Summary!;
        output.WriteLine(summary.Text);
        Assert.Equal(summary.SentencesRead, summary.SentencesCompared);
        Assert.Contains(summary.Sentences, s => !s.Text.EndsWith('.'));
    }

    [Fact]
    public async Task Text_without_sentences_is_skipped_with_a_reason()
    {
        var context = await SemanticTestDocuments.Context("# Price list\n\n- Item A\n- Item B\n");

        var outcome = await _annotator.AnnotateAsync(context, CancellationToken.None);

        Assert.False(outcome.Ran);
        Assert.Equal("no sentence of 4 words or more to summarise", outcome.Reason);
        Assert.Null(context.Annotations.Summary);
    }

    [Fact]
    public async Task A_long_document_is_summarised_from_all_of_it_and_the_encoder_compares_only_the_candidates()
    {
        // A preface on other things, then 360 lines of the log the document is about: summarised from its first
        // sentences, the summary would be the preface.
        var preface = new[]
        {
            "The printing of this volume was delayed by a shortage of paper in the spring.",
            "Our thanks go to the librarians of the county archive for their patience.",
            "Readers who find an error are asked to write to the editor at the usual address.",
            "The cover photograph shows the harbour at dawn before the fishing fleet sailed.",
        };
        var lines = Enumerable.Range(0, 40).Select(i => preface[i % preface.Length].Replace(".", $" (note {i}).", StringComparison.Ordinal))
            .Concat(Enumerable.Range(1, 360).Select(i => $"Line {i} of the maintenance log records a routine inspection of pump {i % 7} and its seals."))
            .ToList();
        var context = await SemanticTestDocuments.Context(string.Join('\n', lines));
        var recording = new RecordingEmbedder(fixture.Embedder);
        var annotator = new ExtractiveSummaryAnnotator(recording, Options.Create(new SemanticOptions { SummaryCandidates = 40 }));

        Assert.Equal(AnnotatorOutcome.Done, await annotator.AnnotateAsync(context, CancellationToken.None));

        var summary = context.Annotations.Summary!;
        output.WriteLine(summary.Text);
        Assert.Equal(400, summary.SentencesRead);
        Assert.Equal(40, summary.SentencesCompared);
        Assert.Equal(40, recording.Texts.Count);
        Assert.All(recording.Texts, t => Assert.Contains("maintenance log", t, StringComparison.Ordinal));
        Assert.NotEmpty(summary.Sentences);
        Assert.All(summary.Sentences, s => Assert.Contains("maintenance log", s.Text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Of_a_long_document_the_encoder_compares_sentences_a_reader_takes_in_at_once_while_there_are_enough()
    {
        // The most central by their words are runs of every common word (a synopsis, a table of contents without stops),
        // each longer than the encoder's 64-word-piece preference; the short sentences share fewer of the words.
        string[] words = ["pump", "valve", "seal", "pressure", "filter", "motor", "bearing", "coupling"];
        var runs = Enumerable.Range(1, 30).Select(i => $"Entry {i}: " + string.Join(" ", Enumerable.Repeat(string.Join(" ", words), 8)) + ".");
        var sentences = Enumerable.Range(1, 60).Select(i => $"Entry {i + 30}: the {words[i % 8]} and the {words[(i + 3) % 8]} were checked beside the {words[(i + 5) % 8]}.");
        var context = await SemanticTestDocuments.Context(string.Join('\n', runs.Concat(sentences)));
        var recording = new RecordingEmbedder(fixture.Embedder);
        var annotator = new ExtractiveSummaryAnnotator(recording, Options.Create(new SemanticOptions { SummaryCandidates = 20 }));

        await annotator.AnnotateAsync(context, CancellationToken.None);

        Assert.Equal(90, context.Annotations.Summary!.SentencesRead);
        Assert.Equal(20, context.Annotations.Summary.SentencesCompared);
        Assert.Equal(20, recording.Texts.Count);
        Assert.All(recording.Texts, t => Assert.InRange(fixture.Embedder.CountTokens(t), 1, 64));

        // With fewer short sentences than candidates, the long ones fill the candidates.
        var runsOnly = await SemanticTestDocuments.Context(string.Join('\n', runs));
        recording.Texts.Clear();
        await annotator.AnnotateAsync(runsOnly, CancellationToken.None);
        Assert.Equal(20, runsOnly.Annotations.Summary!.SentencesCompared);
        Assert.Equal(20, recording.Texts.Count);
    }

    [Fact]
    public async Task A_document_longer_than_the_read_bound_is_summarised_from_its_first_sentences()
    {
        var sentences = Enumerable.Range(1, 400).Select(i => $"Line {i} of the maintenance log records a routine inspection of pump {i % 7}.");
        var context = await SemanticTestDocuments.Context(string.Join('\n', sentences));
        var annotator = new ExtractiveSummaryAnnotator(fixture.Embedder, Options.Create(new SemanticOptions { SummaryReadSentences = 100, SummaryCandidates = 30 }));

        await annotator.AnnotateAsync(context, CancellationToken.None);

        Assert.Equal(100, context.Annotations.Summary!.SentencesRead);
        Assert.Equal(30, context.Annotations.Summary.SentencesCompared);
        Assert.All(context.Annotations.Summary.Sentences, s => Assert.InRange(int.Parse(s.Text.Split(' ')[1], CultureInfo.InvariantCulture), 1, 100));
    }
}
