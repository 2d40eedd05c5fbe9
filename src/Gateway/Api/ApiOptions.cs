using System.ComponentModel.DataAnnotations;
using Annotate.Annotators.Documents;

namespace Annotate.Gateway.Api;

/// <summary>Limits of the HTTP API (configuration section <c>Annotate:Api</c>). API keys are in <c>Annotate:Gateway:ApiKeys</c> and the state store.</summary>
public sealed class ApiOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Api";

    /// <summary>The formats an upload may have, told from its bytes (never its name or Content-Type).</summary>
    public static readonly IReadOnlyList<SourceFormat> ReadableFormats =
        [SourceFormat.Pdf, SourceFormat.Xlsx, SourceFormat.Docx, SourceFormat.Csv, SourceFormat.Text, SourceFormat.Markdown, SourceFormat.Pptx, SourceFormat.Html, SourceFormat.Eml, SourceFormat.Zip,
         SourceFormat.Png, SourceFormat.Jpeg, SourceFormat.Tiff];

    /// <summary>
    /// Largest request body of one upload, all its files and the multipart framing together. Default: the document
    /// limit (<c>Annotate:Readers:MaxDocumentBytes</c>, 100 MiB) plus 1 MiB. Each file is also held to the document limit.
    /// Checked against the declared Content-Length before reading, and while reading for chunked or lying requests.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long? MaxUploadBytes { get; set; }

    /// <summary>Most files (<c>file</c> parts) one upload may hold; each becomes a document. Default 20.</summary>
    [Range(1, 1000)]
    public int MaxFilesPerUpload { get; set; } = 20;

    /// <summary>
    /// The formats accepted at upload (names of <see cref="SourceFormat"/>: Pdf, Xlsx, Docx, Pptx, Html, Csv, Text, Markdown, Png, Jpeg, Tiff).
    /// Default (empty): every format the engine reads. Others are refused with 415.
    /// </summary>
    public string[] AllowedFormats { get; set; } = [];

    /// <summary>
    /// Requests one API key (or, without keys, one client address) may make per <see cref="RateLimitWindow"/>; more are
    /// answered 429 with Retry-After. Default 1200; 0 turns the limit off.
    /// </summary>
    [Range(0, int.MaxValue)]
    public int RateLimitPermits { get; set; } = 1200;

    /// <summary>The window <see cref="RateLimitPermits"/> counts in (fixed windows). Default 1 minute.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the answer of the state store about an API key (its tenant, or that it is unknown or revoked) is remembered,
    /// so requests do not each query the store. A revoked key stops working, and a new one starts, within this time.
    /// Default 30 s; 0 asks the store on every request.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The formats accepted: <see cref="AllowedFormats"/>, or every readable format when it is empty.</summary>
    public IReadOnlySet<SourceFormat> EffectiveFormats() => AllowedFormats.Length == 0
        ? ReadableFormats.ToHashSet()
        : AllowedFormats.Select(f => Enum.Parse<SourceFormat>(f, ignoreCase: true)).ToHashSet();

    /// <summary>True when every name in <see cref="AllowedFormats"/> is a readable format.</summary>
    internal bool FormatsAreKnown() => AllowedFormats.All(f =>
        Enum.TryParse<SourceFormat>(f, ignoreCase: true, out var format) && ReadableFormats.Contains(format));
}
