using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Builtin;

/// <summary>Settings of language detection (configuration section <c>Annotate:Language</c>).</summary>
public sealed class LanguageOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Language";

    /// <summary>
    /// ISO 639-1 codes of the languages the detector chooses from. Fewer languages load faster and confuse less.
    /// Codes the detector does not know are ignored. Default: the 20 most widely used languages it supports.
    /// </summary>
    public List<string> Languages { get; set; } =
        ["en", "zh", "es", "hi", "ar", "pt", "bn", "ru", "ja", "de", "fr", "it", "tr", "ko", "vi", "pl", "nl", "id", "fa", "uk"];

    /// <summary>Letters a block needs before its own language is detected; shorter blocks are too unreliable. Default 40.</summary>
    [Range(1, 100_000)]
    public int MinimumBlockCharacters { get; set; } = 40;

    /// <summary>Load the language models when the detector is built rather than on first use. Default false.</summary>
    public bool PreloadModels { get; set; }
}
