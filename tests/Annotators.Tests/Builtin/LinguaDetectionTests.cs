using Annotate.Annotators.Builtin;
using Annotate.Annotators.Tests.Support;
using Lingua;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Builtin;

public class LinguaDetectionTests
{
    // A sentence or two in each of the default languages, in their own scripts: Latin with and without letters of a
    // language's own (Polish, Turkish, Vietnamese, German), Cyrillic (Russian, and Ukrainian with its own letters), Arabic
    // script (Arabic, Persian), Devanagari, Bengali, Han, Japanese kana with Han, and Hangul.
    private static readonly Dictionary<string, string> Sentences = new()
    {
        ["en"] = "The quarterly report shows that revenue grew strongly in all regions, and the board approved the budget for next year.",
        ["de"] = "Der Vorstand hat den Haushalt für das kommende Jahr genehmigt, nachdem die Umsätze in allen Regionen gestiegen sind. Größere Änderungen folgen.",
        ["fr"] = "Le conseil d'administration a approuvé le budget de l'année prochaine après une forte hausse du chiffre d'affaires.",
        ["es"] = "El consejo aprobó el presupuesto del próximo año después de que las ventas crecieran en todas las regiones del país.",
        ["it"] = "Il consiglio ha approvato il bilancio del prossimo anno dopo che le vendite sono cresciute in tutte le regioni.",
        ["nl"] = "De raad keurde de begroting voor volgend jaar goed nadat de omzet in alle regio's sterk was gestegen.",
        ["pt"] = "O conselho aprovou o orçamento do próximo ano depois de as vendas terem crescido em todas as regiões do país.",
        ["pl"] = "Zarząd zatwierdził budżet na przyszły rok, ponieważ sprzedaż wzrosła we wszystkich regionach kraju.",
        ["tr"] = "Yönetim kurulu, satışların tüm bölgelerde güçlü bir şekilde artmasının ardından gelecek yılın bütçesini onayladı.",
        ["vi"] = "Hội đồng quản trị đã phê duyệt ngân sách cho năm tới sau khi doanh thu tăng mạnh ở tất cả các khu vực.",
        ["id"] = "Dewan direksi menyetujui anggaran untuk tahun depan setelah penjualan tumbuh kuat di semua wilayah negara.",
        ["ru"] = "Совет директоров утвердил бюджет на следующий год после того, как продажи выросли во всех регионах страны.",
        ["uk"] = "Рада директорів затвердила бюджет на наступний рік після того, як продажі зросли в усіх регіонах країни. Їхні звіти ґрунтовні.",
        ["ar"] = "وافق مجلس الإدارة على ميزانية العام المقبل بعد أن نمت المبيعات بقوة في جميع المناطق.",
        ["fa"] = "هیئت مدیره بودجه سال آینده را پس از رشد قوی فروش در همه مناطق کشور تصویب کرد.",
        ["hi"] = "निदेशक मंडल ने सभी क्षेत्रों में बिक्री में तेज़ वृद्धि के बाद अगले वर्ष के बजट को मंज़ूरी दी।",
        ["bn"] = "সব অঞ্চলে বিক্রয় জোরালোভাবে বৃদ্ধি পাওয়ার পর পরিচালনা পর্ষদ আগামী বছরের বাজেট অনুমোদন করেছে।",
        ["zh"] = "在所有地区的销售额强劲增长之后，董事会批准了明年的预算，并要求各部门提交新的计划。",
        ["ja"] = "すべての地域で売上が大きく伸びたあと、取締役会は来年の予算を承認し、各部門に新しい計画の提出を求めました。",
        ["ko"] = "모든 지역에서 매출이 크게 증가한 후 이사회는 내년 예산을 승인하고 각 부서에 새로운 계획을 요청했습니다.",
    };

    private static readonly LanguageDetectorProvider Default =
        new(Options.Create(new LanguageOptions()), NullLogger<LanguageDetectorProvider>.Instance);

    [Fact]
    public void Every_text_gets_the_answer_the_library_gives_it_in_the_default_languages()
    {
        var texts = LongTexts().Concat(ShortTexts()).ToList();
        using var lease = Default.Acquire();
        var detector = lease.Value;
        Assert.True(Default.LinguaDetection.Available);

        var answers = texts.Select(text => Compare(Default.LinguaDetection, detector, text)).ToList();

        // Each way the library decides came up: by its rules (all of it), by its models (a share), and not at all.
        Assert.Contains(answers, a => a is { Confidence: 1.0 });
        Assert.Contains(answers, a => a is { Confidence: < 1.0 });
        Assert.Contains(answers, a => a is null);
        Assert.True(answers.OfType<(Language Language, double Confidence)>().Select(a => a.Language).Distinct().Count() >= 18);
    }

    [Fact]
    public void In_low_accuracy_mode_every_text_of_three_letters_or_more_is_scored_here_as_the_library_scores_it()
    {
        var settings = new LanguageOptions { Languages = ["en", "de", "fr", "es", "it", "nl", "pl", "tr", "ru", "uk"], HighAccuracy = false };
        var provider = new LanguageDetectorProvider(Options.Create(settings), NullLogger<LanguageDetectorProvider>.Instance);
        using var lease = provider.Acquire();
        var texts = LongTexts().Concat(ShortTexts()).ToList();

        var answers = texts.Select(text => Compare(provider.LinguaDetection, lease.Value, text)).ToList();

        Assert.Contains(answers, a => a is { Confidence: < 1.0 });
    }

    [Fact]
    public void A_model_is_held_as_the_logarithms_of_its_positive_probabilities_by_ngram()
    {
        var table = NgramTable.From(new Dictionary<string, double>
        {
            ["abc"] = 0.25, ["cba"] = 0.5, ["xyz"] = 0, ["中国人"] = 0.125, ["ｆｕｌ"] = 0.75,
        });

        Assert.Equal(4, table.Count);
        Assert.Equal(Math.Log(0.25), table.Logarithm("abc"));
        Assert.Equal(Math.Log(0.5), table.Logarithm("cba"));
        Assert.Equal(Math.Log(0.125), table.Logarithm("中国人"));
        Assert.Equal(Math.Log(0.75), table.Logarithm("ｆｕｌ"));
        Assert.Null(table.Logarithm("xyz"));
        Assert.Null(table.Logarithm("bca"));
        Assert.Null(table.Logarithm("ab"));
        Assert.True(NgramTable.TryPack("\u0fff\u0fffabc", out _));
        Assert.False(NgramTable.TryPack("\u1000", out _));
        Assert.False(NgramTable.TryPack("abcdef", out _));
    }

    [Theory]
    [InlineData(70_000)]
    [InlineData(NgramTable.MaxProbabilities + 1_000)]
    public void A_table_finds_every_ngram_of_a_model_with_more_probabilities_than_a_slot_holds_beside_it(int count)
    {
        // Five-letter n-grams, each with its own probability: past 65,536 the index's high bits sit above the letters,
        // past MaxProbabilities the n-grams are kept under their text.
        static string Ngram(int i) => string.Create(5, i, static (letters, n) =>
        {
            for (var j = 0; j < letters.Length; j++, n /= 26)
            {
                letters[j] = (char)('a' + n % 26);
            }
        });
        var model = Enumerable.Range(0, count).ToDictionary(Ngram, i => (i + 1.0) / (count + 1.0));

        var table = NgramTable.From(model);

        Assert.Equal(count, table.Count);
        foreach (var i in Enumerable.Range(0, count).Where(i => i % 7 == 0 || i >= count - 2_000))
        {
            Assert.Equal(Math.Log((i + 1.0) / (count + 1.0)), table.Logarithm(Ngram(i)));
        }
        foreach (var i in Enumerable.Range(count, 2_000))
        {
            Assert.Null(table.Logarithm(Ngram(i)));
        }
    }

    [Fact]
    public void A_table_written_to_a_folder_is_read_from_the_file_mapped_and_gives_back_its_pages_when_asked()
    {
        var folder = Directory.CreateTempSubdirectory("annotate-ngrams-").FullName;
        try
        {
            static string Ngram(int i) => $"{(char)('a' + i % 26)}{(char)('a' + i / 26 % 26)}{(char)('a' + i / 676 % 26)}q";
            var model = Enumerable.Range(0, 17_000).ToDictionary(Ngram, i => (i % 500 + 1) / 1000.0);

            var table = NgramTable.From(model, folder);

            Assert.True(table.Mapped);
            // The file is gone once mapped: the mapping holds its bytes.
            Assert.Empty(Directory.EnumerateFileSystemEntries(folder));
            Assert.All(model, ngram => Assert.Equal(Math.Log(ngram.Value), table.Logarithm(ngram.Key)));
            Assert.True(MappedResidency.Kilobytes(table.Address) > 0);

            Assert.True(table.DropResident() > 0);
            Assert.Equal(0, MappedResidency.Kilobytes(table.Address));
            // Read again from the file cache.
            Assert.All(model, ngram => Assert.Equal(Math.Log(ngram.Value), table.Logarithm(ngram.Key)));
            Assert.Null(table.Logarithm("zzzz"));
            Assert.True(MappedResidency.Kilobytes(table.Address) > 0);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_table_whose_folder_cannot_be_written_is_held_in_memory()
    {
        var model = new Dictionary<string, double> { ["abc"] = 0.25, ["cba"] = 0.5 };

        var table = NgramTable.From(model, Path.Combine(Path.GetTempPath(), "annotate-no-such-folder-" + Guid.NewGuid().ToString("N")));

        Assert.False(table.Mapped);
        Assert.Equal(Math.Log(0.25), table.Logarithm("abc"));
        Assert.Equal(Math.Log(0.5), table.Logarithm("cba"));
        Assert.Null(table.Logarithm("bca"));
        Assert.Equal(0, table.DropResident());
    }

    [Fact]
    public void The_models_give_back_their_pages_and_answer_the_same_afterwards()
    {
        var provider = new LanguageDetectorProvider(Options.Create(new LanguageOptions { Languages = ["en", "de", "fr"] }), NullLogger<LanguageDetectorProvider>.Instance);
        using var lease = provider.Acquire();
        var texts = new[] { Sentences["de"], Sentences["fr"], "The board met.", "Der Rat tagte.", Sentences["en"] };
        var before = texts.Select(text => provider.LinguaDetection.Detect(lease.Value, text)).ToList();

        Assert.True(provider.TrimResident() > 0);

        Assert.Equal(before, texts.Select(text => Compare(provider.LinguaDetection, lease.Value, text)));
    }

    [Fact]
    public void The_models_read_for_a_detection_are_given_back_with_the_detector()
    {
        var provider = new LanguageDetectorProvider(Options.Create(new LanguageOptions { Languages = ["en", "de"] }), NullLogger<LanguageDetectorProvider>.Instance);
        using (var lease = provider.Acquire())
        {
            Assert.Equal(Language.German, provider.LinguaDetection.Detect(lease.Value, Sentences["de"])?.Language);
            Assert.Equal(Language.English, provider.LinguaDetection.Detect(lease.Value, "The board met.")?.Language);
        }
        // Both languages' models of one to five letters.
        Assert.Equal(10, provider.LinguaDetection.ModelsHeld);

        Assert.True(provider.TryRelease());

        Assert.Equal(0, provider.LinguaDetection.ModelsHeld);
    }

    [Theory]
    [InlineData(true, 10)]
    [InlineData(false, 6)]
    public void Preloaded_models_are_read_when_the_detector_is_built_and_held_here(bool highAccuracy, int models)
    {
        var provider = new LanguageDetectorProvider(Options.Create(new LanguageOptions { Languages = ["en", "de"], PreloadModels = true, HighAccuracy = highAccuracy }),
            NullLogger<LanguageDetectorProvider>.Instance);

        using (provider.Acquire())
        {
            // One to five letters for both languages, or the trigrams and what they fall back to.
            Assert.Equal(models, provider.LinguaDetection.ModelsHeld);
        }
    }

    /// <summary>The detection's answer for <paramref name="text"/>, asserted equal to the library's.</summary>
    private static (Language Language, double Confidence)? Compare(LinguaDetection detection, LanguageDetector detector, string text)
    {
        Assert.True(detection.TryDetect(detector, text, out var found), text);
        var (language, confidence) = detector.ComputeLanguageConfidenceValues(text).First();
        if (language == Language.Unknown || confidence <= 0)
        {
            Assert.True(found is null, $"{found} for: {text}");
            return null;
        }
        Assert.True(found is not null, $"nothing for: {text}");
        Assert.Equal(language, found.Value.Language);
        // Equal but for the order of a sum of logarithms (the library adds them in a hash set's order).
        Assert.Equal(confidence, found.Value.Confidence, 1e-9);
        return found;
    }

    /// <summary>Texts of 120 characters or more: each language alone, pairs of them mixed, words shuffled, no letters.</summary>
    private static IEnumerable<string> LongTexts()
    {
        var random = new Random(12);
        var sentences = Sentences.Values.ToArray();
        foreach (var sentence in sentences)
        {
            // Long enough once the library has taken out punctuation and digits.
            yield return string.Join(' ', Enumerable.Repeat(sentence, (150 / sentence.Length) + 1));
        }
        for (var i = 0; i < 400; i++)
        {
            // Two languages in random shares, their words in random order: the rules' counts decide some, the models others.
            var words = sentences[random.Next(sentences.Length)].Split(' ').Take(random.Next(1, 30))
                .Concat(sentences[random.Next(sentences.Length)].Split(' ').Take(random.Next(1, 30)))
                .OrderBy(_ => random.Next()).ToList();
            var text = string.Join(' ', words);
            while (text.Length < 150)
            {
                text += " " + string.Join(' ', words.OrderBy(_ => random.Next()));
            }
            yield return i % 7 == 0 ? $"{i}. {text.ToUpperInvariant()} — 2024-01-{i % 28 + 1:00}" : text;
        }
        // Symbols the library keeps (it takes out punctuation and digits), but no letter.
        yield return string.Join(' ', Enumerable.Repeat("+ = < > | ~ ^ $ 42", 20));
        yield return "Straße über Größe " + Sentences["en"];
        yield return Sentences["zh"] + Sentences["ja"] + Sentences["zh"] + Sentences["ja"];
        // Kana are words of one character each, and Japanese for sure: 60 of them outvote 40 English words.
        yield return string.Concat(Enumerable.Repeat("あいうえおかきくけこ", 6)) + " " + string.Join(' ', Sentences["en"].Split(' ').Concat(Sentences["en"].Split(' ')).Take(40));
        // Exactly half the words have a letter German, Spanish and Turkish share: those three are the candidates.
        yield return string.Join(' ', Enumerable.Range(0, 40).Select(i => i % 2 == 0 ? "über" : Sentences["en"].Split(' ')[i % 19]));
        yield return string.Concat(Enumerable.Repeat("😀 ǅemal ", 20));
        yield return string.Concat(Enumerable.Repeat("Ωμέγα αλφα βήτα ", 10));
    }

    /// <summary>
    /// Texts under 120 characters once cleaned up (which high-accuracy mode scores on 1- to 5-letter sequences), of three
    /// letters or more: each language's first words, and a few words of two languages mixed.
    /// </summary>
    private static IEnumerable<string> ShortTexts()
    {
        var random = new Random(5);
        var sentences = Sentences.Values.ToArray();
        foreach (var sentence in sentences)
        {
            yield return sentence[..Math.Min(sentence.Length, 60)];
            yield return sentence[..Math.Min(sentence.Length, 12)];
        }
        for (var i = 0; i < 200; i++)
        {
            var words = sentences[random.Next(sentences.Length)].Split(' ').Take(random.Next(1, 6))
                .Concat(sentences[random.Next(sentences.Length)].Split(' ').Take(random.Next(0, 4)))
                .OrderBy(_ => random.Next());
            var text = string.Join(' ', words);
            yield return text[..Math.Min(text.Length, 110)];
        }
        yield return "Der Hund";
        yield return "ünd";
        yield return "Ґанок";
        yield return "a b";
    }
}
