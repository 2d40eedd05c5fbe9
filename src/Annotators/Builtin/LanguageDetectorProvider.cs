using Annotate.Annotators.Memory;
using Lingua;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Builtin;

/// <summary>
/// Builds the Lingua language detector once, on first use, for the configured languages, and shares it: loading
/// language models takes seconds, so register this as a singleton. A build that throws is not remembered: the next
/// use builds again. An idle process can give the language models back (<see cref="TryRelease"/>); the next detection
/// loads them again.
/// </summary>
public sealed class LanguageDetectorProvider : IReleasableWhenIdle
{
    /// <summary>The name of what <see cref="TryRelease"/> gives back.</summary>
    public const string Name = "language-detector";

    // Lingua scores a text of 120 characters or more on trigrams alone, in either mode: detecting this loads the
    // trigram models of the configured languages written in Latin script, and no other.
    private const string TrigramsOnlyText = "Annotate loads the trigram models of its languages again with this sentence, " +
        "which is long enough for the detector to score it on sequences of three letters only.";

    private readonly LoadedOnDemand<LanguageDetector> _detector;
    // Only high-accuracy mode holds models a large table does without, and preloaded models are meant to stay (a
    // detector built again would preload every language's models, of every script).
    private readonly bool _releasesBeforeLargeTable;

    /// <summary>Creates the provider; nothing is loaded until the first <see cref="Acquire"/>.</summary>
    public LanguageDetectorProvider(IOptions<LanguageOptions> options, ILogger<LanguageDetectorProvider> logger)
        : this(options, logger, Build, Path.GetTempPath())
    {
    }

    /// <summary>
    /// Creates the provider with its own way to build the detector (tests make the build fail) and the folder its
    /// models' tables are mapped from (null holds them in memory).
    /// </summary>
    internal LanguageDetectorProvider(IOptions<LanguageOptions> options, ILogger<LanguageDetectorProvider> logger,
        Func<IReadOnlyList<Language>, LanguageOptions, LanguageDetector>? build, string? tablesFolder)
    {
        build ??= Build;
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
        LinguaDetection = new LinguaDetection(languages, tablesFolder);
        if (!LinguaDetection.Available)
        {
            logger.LogWarning("The language detector's internal steps were not found in this version of Lingua: every text is detected through its public call, which is slower");
        }
        var settings = options.Value;
        _releasesBeforeLargeTable = settings.HighAccuracy && !settings.PreloadModels;
        // The models are held by LinguaDetection, and by Lingua's static caches shared by its detectors when its own
        // call is used: dropping the detector frees nothing, unloading both does.
        _detector = new LoadedOnDemand<LanguageDetector>(() =>
        {
            var detector = build(languages, settings);
            if (settings.PreloadModels)
            {
                LinguaDetection.Preload(detector);
            }
            return detector;
        }, detector =>
        {
            detector.UnloadLanguageModels();
            LinguaDetection.Unload();
        });
    }

    private static LanguageDetector Build(IReadOnlyList<Language> languages, LanguageOptions settings)
    {
        var builder = LanguageDetectorBuilder.FromLanguages([.. languages]);
        if (!settings.HighAccuracy)
        {
            builder = builder.WithLowAccuracyMode();
        }
        // Preloaded models are held where the detections read them (LinguaDetection.Preload), not in the library's
        // caches too, unless the library's own call is what detects.
        if (settings.PreloadModels && !LinguaDetection.InternalsFound)
        {
            builder = builder.WithPreloadedLanguageModels();
        }
        return builder.Build();
    }

    /// <summary>The languages the detector chooses from.</summary>
    public IReadOnlyList<Language> Languages { get; }

    /// <summary>The detector's answers without its per-character costs.</summary>
    internal LinguaDetection LinguaDetection { get; }

    /// <summary>
    /// The language the detector ranks first for <paramref name="text"/> and its confidence, or null where it finds
    /// none, the models it needs loaded first: a detection of an English sentence warms up the configured languages
    /// written in Latin script.
    /// </summary>
    public (Language Language, double Confidence)? Detect(string text)
    {
        using var lease = Acquire();
        return LinguaDetection.Detect(lease.Value, text);
    }

    /// <summary>
    /// The shared detector (thread-safe), built when no build has succeeded yet (or after a release), held until the
    /// lease is disposed: its models are not given back meanwhile. Concurrent first callers wait for the one build.
    /// </summary>
    public LoadedOnDemand<LanguageDetector>.Lease Acquire() => _detector.Acquire();

    /// <summary>True while the detector is built.</summary>
    public bool IsLoaded => _detector.IsLoaded;

    /// <summary>How many times the detector was built: once, and again after each release.</summary>
    public int Loads => _detector.Loads;

    /// <inheritdoc />
    public string ReleaseName => Name;

    /// <summary>Unloads the language models when no detection holds them.</summary>
    public bool TryRelease() => _detector.TryRelease();

    /// <summary>
    /// Gives back the resident pages of the models read so far, which stay loaded (mapped from their files): the next
    /// detection faults in, from the file cache, what it reads.
    /// </summary>
    public long TrimResident() => LinguaDetection.TrimResident();

    /// <summary>
    /// In high-accuracy mode, gives back what the models of short texts hold (~56 MiB for the default languages): a large
    /// table's language is told from a long sample of its cells, which Lingua scores on trigrams alone. Models mapped
    /// from their files (<see cref="LinguaDetection.AllMapped"/>) give back their pages and stay loaded: the table's
    /// detection faults in the trigram pages it reads, the next document with short blocks the rest, from the file cache,
    /// rather than reading the models again. Models held in memory are unloaded (all of a detector's at once, when no
    /// detection holds it), the heap compacted, and the trigram ones loaded again here, while the heap is small, rather
    /// than by the table's own detection at its peak. False in low-accuracy mode (only trigram models are held), with
    /// <see cref="LanguageOptions.PreloadModels"/> (kept loaded as asked), and when nothing is loaded.
    /// </summary>
    public bool ReleaseBeforeLargeTable()
    {
        if (!_releasesBeforeLargeTable || !IsLoaded)
        {
            return false;
        }
        if (LinguaDetection.AllMapped)
        {
            return TrimResident() > 0;
        }
        if (!TryRelease())
        {
            return false;
        }
        // Their space is given back to the system before the trigram models are read again: otherwise the reading
        // grows the process past what it held, and the space stays committed for reuse.
        ManagedHeap.Compact();
        using var lease = Acquire();
        LinguaDetection.Detect(lease.Value, TrigramsOnlyText);
        return true;
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
