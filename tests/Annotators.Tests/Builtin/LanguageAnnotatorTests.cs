using Annotate.Annotators.Builtin;
using Annotate.Annotators.Documents;
using Lingua;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using static Annotate.Annotators.Tests.Builtin.TestDocuments;

namespace Annotate.Annotators.Tests.Builtin;

public class LanguageAnnotatorTests
{
    // One provider for the whole class, as in production: the language models load once. A short list of
    // languages keeps loading quick; the default list is checked separately without loading.
    private static readonly LanguageOptions Settings = new() { Languages = ["en", "de", "fr", "es", "it", "nl"] };

    private static readonly LanguageDetectorProvider Provider = new(Options.Create(Settings), NullLogger<LanguageDetectorProvider>.Instance);

    private static LanguageAnnotator Annotator() => new(Provider, Options.Create(Settings));

    private const string English = "The quarterly report shows that revenue grew strongly in all regions, and the board approved the budget.";
    private const string German = "Der Vorstand hat den Haushalt für das kommende Jahr genehmigt, nachdem die Umsätze in allen Regionen gestiegen sind.";
    private const string French = "Le conseil d'administration a approuvé le budget de l'année prochaine après une forte hausse du chiffre d'affaires.";

    [Fact]
    public async Task Each_paragraph_gets_its_own_language_and_the_document_its_main_one()
    {
        var context = Context(Text(
            Paragraph(English, 1),
            Paragraph(English + " " + English, 3),
            Paragraph(German, 5),
            Paragraph(French, 7),
            Paragraph("Too short.", 9)));

        var outcome = await Annotator().AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran);
        var blocks = context.Annotations.BlockLanguages;
        Assert.Equal([0, 1, 2, 3], blocks.Select(b => b.Block));
        Assert.Equal(["en", "en", "de", "fr"], blocks.Select(b => b.Code));
        Assert.All(blocks, b => Assert.InRange(b.Confidence, 0.5, 1.0));
        Assert.Equal(5, blocks[2].Location.Line);
        Assert.Equal(2, blocks[2].Location.Block);
        var language = context.Annotations.Language!;
        Assert.Equal("en", language.Code);
        Assert.Equal("English", language.Name);
        Assert.Equal("language", language.Annotator);
    }

    [Fact]
    public async Task Many_blocks_get_the_languages_one_detection_after_another_gives_in_their_order()
    {
        // Enough blocks for the detections to run on every core: each block's result is its own detection's, in order.
        string[] sentences =
        [
            English, German, French,
            "El consejo aprobó el presupuesto del próximo año después de que las ventas crecieran en todas las regiones.",
            "Il consiglio ha approvato il bilancio del prossimo anno dopo che le vendite sono cresciute in tutte le regioni.",
            "De raad keurde de begroting voor volgend jaar goed nadat de omzet in alle regio's sterk was gestegen.",
        ];
        var paragraphs = Enumerable.Range(0, 90).Select(i => i % 10 == 9
            ? Paragraph("Too short.", i + 1)
            : Paragraph($"{sentences[i % sentences.Length]} {sentences[(i * 7) % sentences.Length][..(20 + (i % 60))]}", i + 1)).ToArray();
        var context = Context(Text(paragraphs));

        await Annotator().AnnotateAsync(context, CancellationToken.None);

        using var lease = Provider.Acquire();
        var expected = new List<(int Block, string Code, double Confidence)>();
        for (var i = 0; i < paragraphs.Length; i++)
        {
            if (paragraphs[i].Content == "Too short.")
            {
                continue;
            }
            var (language, confidence) = lease.Value.ComputeLanguageConfidenceValues(paragraphs[i].Content).First();
            if (language != Language.Unknown && confidence > 0)
            {
                expected.Add((i, language.IsoCode6391().ToString().ToLowerInvariant(), Math.Round(confidence, 4)));
            }
        }
        var actual = context.Annotations.BlockLanguages;
        Assert.Equal(81, expected.Count);
        Assert.Equal(expected.Select(e => e.Block), actual.Select(b => b.Block));
        Assert.Equal(expected.Select(e => e.Code), actual.Select(b => b.Code));
        Assert.Equal(expected.Select(e => e.Confidence), actual.Select(b => b.Confidence));
        Assert.Equal(actual.Select(b => b.Block + 1), actual.Select(b => b.Location.Line!.Value));
    }

    [Fact]
    public async Task A_block_met_again_on_every_page_gets_its_language_each_time_as_a_detection_of_its_own_would_give()
    {
        // A running footer on each of 40 pages between the pages' own text: every copy of it gets the detector's answer,
        // as do the blocks around it, in order.
        const string Footer = "Vertraulich: nur für den internen Gebrauch bestimmt, Weitergabe an Dritte ist untersagt.";
        var paragraphs = Enumerable.Range(0, 40).SelectMany(page => new[]
        {
            Paragraph($"{(page % 2 == 0 ? English : French)} Page {page + 1}.", 2 * page + 1),
            Paragraph(Footer, 2 * page + 2),
        }).ToArray();
        var context = Context(Text(paragraphs));

        await Annotator().AnnotateAsync(context, CancellationToken.None);

        using var lease = Provider.Acquire();
        var expected = paragraphs.Select((p, i) => (Block: i, Found: lease.Value.ComputeLanguageConfidenceValues(p.Content).First()))
            .Select(e => (e.Block, Code: e.Found.Key.IsoCode6391().ToString().ToLowerInvariant(), Confidence: Math.Round(e.Found.Value, 4)))
            .ToList();
        var actual = context.Annotations.BlockLanguages;
        Assert.Equal(Enumerable.Range(0, 80), actual.Select(b => b.Block));
        Assert.Equal(expected.Select(e => e.Code), actual.Select(b => b.Code));
        Assert.Equal(expected.Select(e => e.Confidence), actual.Select(b => b.Confidence));
        Assert.All(actual.Where(b => b.Block % 2 == 1), b => Assert.Equal("de", b.Code));
        Assert.Equal(["en", "fr"], actual.Where(b => b.Block % 2 == 0).Select(b => b.Code).Distinct());
    }

    [Fact]
    public async Task A_block_is_judged_by_its_first_characters_up_to_the_configured_sample()
    {
        // An English opening of about 300 characters, then German five times as long: the whole block is German, its
        // first 300 characters English.
        var opening = $"{English} {English} {English[..80]}";
        var block = $"{opening} {string.Join(' ', Enumerable.Repeat(German, 14))}";
        Assert.InRange(block.Length, 1_700, 2_000);

        var whole = Context(Text(Paragraph(block, 1)));
        await Annotator().AnnotateAsync(whole, CancellationToken.None);
        var sampled = Context(Text(Paragraph(block, 1)));
        var shortSample = new LanguageOptions { Languages = Settings.Languages, BlockSampleCharacters = opening.Length + 1 };
        await new LanguageAnnotator(Provider, Options.Create(shortSample)).AnnotateAsync(sampled, CancellationToken.None);

        Assert.Equal("de", Assert.Single(whole.Annotations.BlockLanguages).Code);
        Assert.Equal("en", Assert.Single(sampled.Annotations.BlockLanguages).Code);
        // The sample ends after a whole word: the opening and nothing of the German that follows it.
        Assert.Equal(opening, LanguageAnnotator.Sample(block, opening.Length + 1));
        Assert.Equal("en", sampled.Annotations.Language!.Code);
    }

    [Fact]
    public async Task A_german_document_is_german()
    {
        var context = Context(Text(Paragraph(German, 1), Paragraph(German, 2)));
        await Annotator().AnnotateAsync(context, CancellationToken.None);
        Assert.Equal("de", context.Annotations.Language!.Code);
    }

    [Fact]
    public async Task A_spreadsheet_takes_its_language_from_text_cells()
    {
        var table = Table("Tâches", ["Tâche", "Montant"],
            [
                [T("Préparer la facture pour le client"), N(12)],
                [T("Envoyer le rapport mensuel à la direction"), N(15)],
                [T("Vérifier les paiements reçus cette semaine"), N(7)],
            ]);
        var context = Context(Text(table) with { Format = SourceFormat.Xlsx });
        await Annotator().AnnotateAsync(context, CancellationToken.None);
        Assert.Equal("fr", context.Annotations.Language!.Code);
        Assert.Equal("fr", Assert.Single(context.Annotations.BlockLanguages).Code);
    }

    [Fact]
    public async Task Too_little_text_leaves_the_language_unset()
    {
        var context = Context(Text(Paragraph("Total: 12", 1), Table("S", ["A"], [[N(1)], [N(2)]])));
        var outcome = await Annotator().AnnotateAsync(context, CancellationToken.None);
        Assert.False(outcome.Ran);
        Assert.Null(context.Annotations.Language);
        Assert.Empty(context.Annotations.BlockLanguages);
    }

    private const string Address = "https://tracker.example.com/buglist.cgi?component=libcap&list_id=1090757";
    private const string Code = "total=alpha+beta+gamma;result=total*factor;limit=result/divisor";

    [Fact]
    public async Task A_block_without_a_word_gets_no_language_and_the_others_theirs()
    {
        // Lingua names a language for a web address or a line of code (English, Spanish) after scoring it against
        // every configured language: such a block is not detected, and the document is judged by its words.
        var context = Context(Text(Paragraph(German, 1), Paragraph(Address, 3), Paragraph(Code, 5), Paragraph(German, 7)));

        var outcome = await Annotator().AnnotateAsync(context, CancellationToken.None);

        Assert.True(outcome.Ran);
        Assert.Equal([0, 3], context.Annotations.BlockLanguages.Select(b => b.Block));
        Assert.All(context.Annotations.BlockLanguages, b => Assert.Equal("de", b.Code));
        Assert.Equal("de", context.Annotations.Language!.Code);
        Assert.Equal(1.0, context.Annotations.Language.Confidence, 2);
    }

    [Fact]
    public async Task A_document_without_a_word_leaves_the_language_unset_and_says_why()
    {
        var context = Context(Text(Paragraph(Address, 1), Paragraph(Code, 2)));

        var outcome = await Annotator().AnnotateAsync(context, CancellationToken.None);

        Assert.False(outcome.Ran);
        Assert.Contains("no word", outcome.Reason);
        Assert.Null(context.Annotations.Language);
        Assert.Empty(context.Annotations.BlockLanguages);
    }

    [Theory]
    [InlineData("The board approved the budget.", true)]
    [InlineData("e-mail: user@example.com (see §4)", true)]
    [InlineData("total = a + b", true)]
    [InlineData("Der Vorstand hat den Haushalt genehmigt", true)]
    [InlineData("बोर्ड ने बजट को मंज़ूरी दी", true)]
    [InlineData("मंज़ूरी", true)] // Devanagari: its vowel signs and nukta are combining marks
    [InlineData("董事会批准了预算", true)]
    [InlineData("می\u200cخواهم", true)] // Persian: a zero-width non-joiner inside a word
    [InlineData("https://tracker.example.com/buglist.cgi?component=libcap&list_id=1090757", false)]
    [InlineData("total=alpha+beta+gamma;result=total*factor", false)]
    [InlineData("|alpha|beta|gamma|", false)]
    [InlineData("2024-01-31 12:00 42.5%", false)]
    [InlineData("", false)]
    public void A_word_is_letters_and_marks_between_spaces_leaving_out_punctuation_and_digits(string text, bool expected) =>
        Assert.Equal(expected, LanguageAnnotator.HasWord(text));

    [Fact]
    public async Task Without_high_accuracy_a_short_block_is_scored_on_its_trigrams_as_lingua_low_accuracy_mode_does()
    {
        // English is 105 characters: under Lingua's 120, where high accuracy also scores 1-, 2-, 4- and 5-letter sequences.
        var settings = new LanguageOptions { Languages = Settings.Languages, HighAccuracy = false };
        var lowProvider = new LanguageDetectorProvider(Options.Create(settings), NullLogger<LanguageDetectorProvider>.Instance);
        var context = Context(Text(Paragraph(English, 1)));

        await new LanguageAnnotator(lowProvider, Options.Create(settings)).AnnotateAsync(context, CancellationToken.None);
        var high = Context(Text(Paragraph(English, 1)));
        await Annotator().AnnotateAsync(high, CancellationToken.None);

        Language[] languages = [Language.English, Language.German, Language.French, Language.Spanish, Language.Italian, Language.Dutch];
        var expected = LanguageDetectorBuilder.FromLanguages(languages).WithLowAccuracyMode().Build().ComputeLanguageConfidenceValues(English).First();
        var block = Assert.Single(context.Annotations.BlockLanguages);
        Assert.Equal("en", block.Code);
        Assert.Equal(Math.Round(expected.Value, 4), block.Confidence);
        Assert.NotEqual(Assert.Single(high.Annotations.BlockLanguages).Confidence, block.Confidence);
    }

    [Fact]
    public void The_default_languages_are_all_supported_by_the_detector()
    {
        var (languages, unknown) = LanguageDetectorProvider.Resolve(new LanguageOptions().EffectiveLanguages);
        Assert.Empty(unknown);
        Assert.Equal(20, languages.Count);
    }

    [Fact]
    public async Task A_mostly_english_document_is_english_with_reduced_confidence()
    {
        var context = Context(Text(Paragraph(English, 1), Paragraph(English, 2), Paragraph(English, 3), Paragraph(German, 4)));
        await Annotator().AnnotateAsync(context, CancellationToken.None);
        var language = context.Annotations.Language!;
        Assert.Equal("en", language.Code);
        Assert.InRange(language.Confidence, 0.4, 0.9);
    }

    [Fact]
    public void Unknown_language_codes_are_ignored_and_a_list_of_only_unknown_codes_is_refused()
    {
        var (languages, unknown) = LanguageDetectorProvider.Resolve(["en", "xx", "DE", "en"]);
        Assert.Equal(2, languages.Count);
        Assert.Equal(["xx"], unknown);
        var ex = Assert.Throws<OptionsValidationException>(() =>
            new LanguageDetectorProvider(Options.Create(new LanguageOptions { Languages = ["xx"] }), NullLogger<LanguageDetectorProvider>.Instance));
        Assert.Contains("xx", ex.Message);
    }
}
