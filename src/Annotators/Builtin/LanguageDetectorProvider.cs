using Lingua;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Builds the Lingua language detector once, on first use, for the configured languages, and shares it: loading
/// language models takes seconds, so register this as a singleton.
/// </summary>
public sealed class LanguageDetectorProvider
{
    private readonly Lazy<LanguageDetector> _detector;

    /// <summary>Creates the provider; nothing is loaded until <see cref="Detector"/> is first read.</summary>
    public LanguageDetectorProvider(IOptions<LanguageOptions> options, ILogger<LanguageDetectorProvider> logger)
    {
        var (languages, unknown) = Resolve(options.Value.EffectiveLanguages);
        if (unknown.Count > 0)
        {
            logger.LogWarning("Language codes {Codes} in Annotate:Language:Languages are not supported by the detector and are ignored", string.Join(", ", unknown));
        }
        if (languages.Count == 0)
        {
            throw new OptionsValidationException(LanguageOptions.Section, typeof(LanguageOptions),
                [$"Annotate:Language:Languages names no language the detector supports (got: {string.Join(", ", options.Value.EffectiveLanguages)})."]);
        }
        Languages = languages;
        var preload = options.Value.PreloadModels;
        _detector = new Lazy<LanguageDetector>(() =>
        {
            var builder = LanguageDetectorBuilder.FromLanguages([.. languages]);
            if (preload)
            {
                builder = builder.WithPreloadedLanguageModels();
            }
            return builder.Build();
        }, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>The languages the detector chooses from.</summary>
    public IReadOnlyList<Language> Languages { get; }

    /// <summary>The shared detector (thread-safe).</summary>
    public LanguageDetector Detector => _detector.Value;

    /// <summary>Maps ISO 639-1 codes to Lingua languages, returning those it does not know separately.</summary>
    internal static (List<Language> Languages, List<string> Unknown) Resolve(IEnumerable<string> codes)
    {
        var byCode = LanguageInfo.All().ToDictionary(l => l.IsoCode6391().ToString(), StringComparer.OrdinalIgnoreCase);
        var languages = new List<Language>();
        var unknown = new List<string>();
        foreach (var code in codes.Select(c => c.Trim()).Where(c => c.Length > 0))
        {
            if (byCode.TryGetValue(code, out var language))
            {
                if (!languages.Contains(language))
                {
                    languages.Add(language);
                }
            }
            else
            {
                unknown.Add(code);
            }
        }
        return (languages, unknown);
    }
}
