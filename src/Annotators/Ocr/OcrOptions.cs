using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Ocr;

/// <summary>
/// Optical character recognition of scanned pages and image files with Tesseract (configuration section
/// <c>Annotate:Ocr</c>); a profile's <c>Ocr</c> settings override these for its documents.
/// </summary>
public sealed class OcrOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Ocr";

    /// <summary>Recognise pages without a text layer and image files. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Languages to recognise, as ISO 639-1 codes (<c>en</c>, <c>de</c>) or Tesseract's own (<c>eng</c>, <c>deu</c>).
    /// Default empty: the languages configured for the language detector (<c>Annotate:Language:Languages</c>) when any
    /// are, otherwise English. Only languages whose traineddata is installed are used; a missing one is named in a notice.
    /// </summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>Resolution PDF pages are rendered at for recognition, in dots per inch. Default 300.</summary>
    [Range(50, 1200)]
    public int Dpi { get; set; } = 300;

    /// <summary>Longest one page may take to render or recognise; the process is then killed and the page named in a notice. Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan PageTimeout { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Most pages of one document recognised; later pages are named in a notice. Default 100.</summary>
    [Range(1, 100_000)]
    public int MaxPages { get; set; } = 100;

    /// <summary>
    /// Most pixels of one page handed to Tesseract (width × height). A PDF page larger at <see cref="Dpi"/> is rendered at
    /// a lower resolution; an image file with a larger page fails with <c>too-large</c> before it is decoded. Default
    /// 60,000,000 (A4 at 600 dpi is 35 million).
    /// </summary>
    [Range(10_000d, 1_000_000_000d)]
    public long MaxPixels { get; set; } = 60_000_000;

    /// <summary>Most address space, in MiB, a render or recognition process may take (set with <c>prlimit --as</c>). Default 2048.</summary>
    [Range(64, 1_048_576)]
    public int MemoryLimitMegabytes { get; set; } = 2048;

    /// <summary>Words Tesseract is less sure of than this (0–100) are marked as low-confidence. Default 60.</summary>
    [Range(0, 100)]
    public int LowConfidence { get; set; } = 60;

    /// <summary>
    /// A PDF page with a text layer is also recognised when images cover at least <see cref="ImageCoverage"/> of it and
    /// its text has fewer than this many characters (a scan with a stamp or a page number on it). Default 40.
    /// </summary>
    [Range(0, 100_000)]
    public int MinTextCharacters { get; set; } = 40;

    /// <summary>Share of a PDF page images must cover (0–1) for <see cref="MinTextCharacters"/> to apply. Default 0.5.</summary>
    [Range(0.0, 1.0)]
    public double ImageCoverage { get; set; } = 0.5;

    /// <summary>
    /// Straighten a page scanned askew (a PDF's or an image file's) before it is read: the angle of its text lines is
    /// measured (up to <see cref="Ocr.Deskew.MaxDegrees"/> either way) and the page turned back by it; word boxes are
    /// given on the page as scanned. Off, a PDF scan stored as JPEG goes to Tesseract without being rendered and an image
    /// file as it is (faster, but a page askew by more than a few degrees reads badly). Default true.
    /// </summary>
    public bool Deskew { get; set; } = true;

    /// <summary>The Tesseract executable, a name looked up on <c>PATH</c> or a full path. Default <c>tesseract</c>.</summary>
    [Required]
    public string TesseractPath { get; set; } = "tesseract";

    /// <summary>Poppler's page renderer, a name looked up on <c>PATH</c> or a full path. Default <c>pdftoppm</c>.</summary>
    [Required]
    public string PdftoppmPath { get; set; } = "pdftoppm";
}

/// <summary>A profile's overrides of <see cref="OcrOptions"/>; a property left null keeps the global setting.</summary>
public sealed class ProfileOcrSettings
{
    /// <summary>Overrides <see cref="OcrOptions.Enabled"/>.</summary>
    public bool? Enabled { get; set; }

    /// <summary>Overrides <see cref="OcrOptions.Languages"/> when not empty.</summary>
    public List<string> Languages { get; set; } = [];

    /// <summary>Overrides <see cref="OcrOptions.Dpi"/>.</summary>
    [Range(50, 1200)]
    public int? Dpi { get; set; }

    /// <summary>Overrides <see cref="OcrOptions.PageTimeout"/>.</summary>
    public TimeSpan? PageTimeout { get; set; }

    /// <summary>Overrides <see cref="OcrOptions.MaxPages"/>.</summary>
    [Range(1, 100_000)]
    public int? MaxPages { get; set; }
}

/// <summary>The OCR settings one document is read with: the global ones with its profile's overrides.</summary>
/// <param name="Enabled">Whether pages and images are recognised.</param>
/// <param name="Languages">Languages asked for, as configured (ISO 639-1 or Tesseract codes).</param>
/// <param name="Dpi">Rendering resolution of PDF pages.</param>
/// <param name="PageTimeout">Time limit of one page.</param>
/// <param name="MaxPages">Most pages recognised.</param>
public sealed record OcrSettings(bool Enabled, IReadOnlyList<string> Languages, int Dpi, TimeSpan PageTimeout, int MaxPages)
{
    /// <summary>The global settings with a profile's overrides.</summary>
    public static OcrSettings Resolve(OcrOptions options, IReadOnlyList<string> detectorLanguages, ProfileOcrSettings? profile)
    {
        IReadOnlyList<string> languages = profile?.Languages is { Count: > 0 } own ? own
            : options.Languages.Count > 0 ? options.Languages
            : detectorLanguages.Count > 0 ? detectorLanguages
            : ["en"];
        // Profiles are not validated at start-up like the global options: their values are held to the same ranges here.
        return new OcrSettings(
            profile?.Enabled ?? options.Enabled,
            languages,
            Math.Clamp(profile?.Dpi ?? options.Dpi, 50, 1200),
            TimeSpan.FromTicks(Math.Clamp((profile?.PageTimeout ?? options.PageTimeout).Ticks, TimeSpan.TicksPerSecond, TimeSpan.TicksPerHour)),
            Math.Clamp(profile?.MaxPages ?? options.MaxPages, 1, 100_000));
    }
}
