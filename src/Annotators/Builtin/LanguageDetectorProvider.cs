using Lingua;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Builds the Lingua language detector once, on first use, for the configured languages, and shares it: loading
/// language models takes seconds, so register this as a singleton. A build that throws is not remembered: the next
/// use builds again.
/// </summary>
public sealed class LanguageDetectorProvider
{
    private readonly Func<LanguageDetector> _build;
    private readonly Lock _building = new();
    private LanguageDetector? _detector;

    /// <summary>Creates the provider; nothing is loaded until <see cref="Detector"/> is first read.</summary>
    public LanguageDetectorProvider(IOptions<LanguageOptions> options, ILogger<LanguageDetectorProvider> logger)
        : this(options, logger, Build)
    {
    }

    /// <summary>Creates the provider with its own way to build the detector (tests make the build fail).</summary>
    internal LanguageDetectorProvider(IOptions<LanguageOptions> options, ILogger<LanguageDetectorProvider> logger,
        Func<IReadOnlyList<Language>, bool, LanguageDetector> build)
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
        _build = () => build(languages, preload);
    }

    private static LanguageDetector Build(IReadOnlyList<Language> languages, bool preload)
    {
        var builder = LanguageDetectorBuilder.FromLanguages([.. languages]);
        if (preload)
        {
            builder = builder.WithPreloadedLanguageModels();
        }
        return builder.Build();
    }

    /// <summary>The languages the detector chooses from.</summary>
    public IReadOnlyList<Language> Languages { get; }

    /// <summary>The shared detector (thread-safe); builds it when no build has succeeded yet.</summary>
    public LanguageDetector Detector
    {
        get
        {
            if (Volatile.Read(ref _detector) is { } built)
            {
                return built;
            }
            // Not Lazy<T>: in ExecutionAndPublication mode it caches the exception for good, and PublicationOnly lets
            // the warm-up and the first documents each load every language model at once. Under the lock, callers
            // wait for the one build in progress; a failure leaves the field empty so the next caller tries again.
            lock (_building)
            {
                if (_detector is null)
                {
                    Volatile.Write(ref _detector, _build());
                }
                return _detector;
            }
        }
    }

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
