using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Builtin;

/// <summary>Settings of language detection (configuration section <c>Annotate:Language</c>).</summary>
public sealed class LanguageOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Language";

    /// <summary>The 20 most widely used languages the detector supports, used when <see cref="Languages"/> is empty.</summary>
    public static IReadOnlyList<string> DefaultLanguages { get; } =
        ["en", "zh", "es", "hi", "ar", "pt", "bn", "ru", "ja", "de", "fr", "it", "tr", "ko", "vi", "pl", "nl", "id", "fa", "uk"];

    /// <summary>
    /// ISO 639-1 codes of the languages the detector chooses from. Fewer languages load faster and confuse less.
    /// Codes the detector does not know are ignored. Default empty, meaning <see cref="DefaultLanguages"/>; the
    /// defaults are not put in the list itself because configuration binding appends to a list instead of replacing it.
    /// </summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>The configured languages, or the defaults when none are configured.</summary>
    public IReadOnlyList<string> EffectiveLanguages => Languages.Count > 0 ? Languages : DefaultLanguages;

    /// <summary>Letters a block needs before its own language is detected; shorter blocks are too unreliable. Default 40.</summary>
    [Range(1, 100_000)]
    public int MinimumBlockCharacters { get; set; } = 40;

    /// <summary>
    /// Characters of a block the detector reads to tell the block's language: its first ones, cut after a whole word.
    /// Lingua's time grows with the text: a shorter sample detects a long document's long blocks faster, but a block
    /// that starts in one language and goes on in another is then judged by its start (docs/BENCHMARKS.md, <i>Block
    /// languages: repeated samples once, the sample's length</i>). A block weighs in the document's main language by
    /// its letters up to 2,000 whatever the sample. Default 2,000.
    /// </summary>
    [Range(120, 2_000)]
    public int BlockSampleCharacters { get; set; } = 2_000;

    /// <summary>
    /// Lingua's high-accuracy mode: a text under 120 characters is scored on its 1- to 5-letter sequences, not only
    /// on its trigrams. Its models take memory: for the eleven Latin-script languages of the defaults, the trigram models
    /// (with the bigram and unigram ones they fall back to) take 4 MiB and the others 56 MiB more (2 s to load, at the
    /// warm-up; mapped from files, whose pages an idle child gives back). Off, every text is scored on trigrams: on 2,764
    /// short blocks of manual pages in 13 languages 86.5 % right against 89.5 % (English 88 against 96 %, French 77
    /// against 87 %), for ~56 MiB less in a busy pipeline child
    /// (docs/BENCHMARKS.md, <i>The 1,000,000-row workbook through the service</i> and <i>Language detection without the
    /// library's per-character costs</i>). Longer texts are scored on trigrams either way. Default true.
    /// </summary>
    public bool HighAccuracy { get; set; } = true;

    /// <summary>Load the language models when the detector is built rather than on first use. Default false.</summary>
    public bool PreloadModels { get; set; }
}
