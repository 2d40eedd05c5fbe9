using System.Globalization;
using System.Text;
using Annotate.Annotators.Builtin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Ocr;

/// <summary>What of the OCR tools is installed: the executables' paths and Tesseract's languages.</summary>
/// <param name="Tesseract">Full path of <c>tesseract</c>; null when it is not installed.</param>
/// <param name="Pdftoppm">Full path of <c>pdftoppm</c>; null when it is not installed.</param>
/// <param name="Languages">Tesseract's installed traineddata (<c>eng</c>, <c>deu</c>, <c>osd</c>).</param>
internal sealed record OcrTools(string? Tesseract, string? Pdftoppm, IReadOnlySet<string> Languages)
{
    /// <summary>Orientation and script detection is installed: rotated pages are turned before they are read.</summary>
    public bool HasOsd => Languages.Contains("osd");
}

/// <summary>A page OCR could not read, and why (said to the user, so it names no path).</summary>
internal sealed class OcrPageException(string reason) : Exception(reason);

/// <summary>
/// Runs <c>pdftoppm</c> and <c>tesseract</c> as child processes, each with a time and memory limit (see
/// <see cref="ToolProcess"/>): renders PDF pages to images and recognises words with their boxes and confidence.
/// </summary>
public sealed class TesseractOcr(IOptions<OcrOptions> options, IOptions<LanguageOptions> languages, ILogger<TesseractOcr> logger)
{
    /// <summary>The command that installs what OCR needs on Debian or Ubuntu.</summary>
    public const string InstallHint = "apt-get install tesseract-ocr tesseract-ocr-eng poppler-utils";

    private const int MaxTsvBytes = 64 * 1024 * 1024;
    private const int MaxListBytes = 64 * 1024;

    private readonly Lazy<Task<OcrTools>> _tools = new(() => FindToolsAsync(options.Value, logger));

    /// <summary>Where OCR says what it did.</summary>
    internal ILogger Logger => logger;

    /// <summary>The global settings.</summary>
    public OcrOptions Options => options.Value;

    internal Task<OcrTools> ToolsAsync() => _tools.Value;

    /// <summary>The settings a document is read with: the global ones under its profile's <paramref name="profile"/> overrides.</summary>
    public OcrSettings SettingsFor(ProfileOcrSettings? profile) => OcrSettings.Resolve(options.Value, languages.Value.Languages, profile);

    private long MemoryLimitBytes => options.Value.MemoryLimitMegabytes * 1024L * 1024;

    private static async Task<OcrTools> FindToolsAsync(OcrOptions options, ILogger logger)
    {
        var tesseract = ToolProcess.Resolve(options.TesseractPath);
        var pdftoppm = ToolProcess.Resolve(options.PdftoppmPath);
        var languages = new HashSet<string>(StringComparer.Ordinal);
        if (tesseract is not null)
        {
            try
            {
                var list = await ToolProcess.RunAsync(tesseract, ["--list-langs"], TimeSpan.FromSeconds(30), 1024L * 1024 * 1024,
                    MaxListBytes, CancellationToken.None).ConfigureAwait(false);
                // The first line is a heading ("List of available languages in …"), the others one code each.
                foreach (var line in Encoding.UTF8.GetString(list.Output).Split('\n').Skip(1))
                {
                    if (line.Trim() is { Length: > 0 } code && !code.Contains(' '))
                    {
                        languages.Add(code);
                    }
                }
                if (!list.Succeeded)
                {
                    logger.LogWarning("tesseract --list-langs failed ({ExitCode}): {Errors}", list.ExitCode, list.Errors);
                }
            }
            catch (FileNotFoundException ex)
            {
                logger.LogWarning(ex, "Tesseract at {Path} could not be started", tesseract);
                tesseract = null;
            }
        }
        return new OcrTools(tesseract, pdftoppm, languages);
    }

    /// <summary>
    /// Renders one page of a PDF to a grayscale PNM file with pdftoppm and returns its path. Throws
    /// <see cref="OcrPageException"/> when pdftoppm fails, runs out of time or of memory.
    /// </summary>
    internal async Task<string> RenderPageAsync(string pdftoppm, string pdfPath, int page, double dpi, string folder, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        var prefix = Path.Combine(folder, "page-" + page.ToString(CultureInfo.InvariantCulture));
        var resolution = Math.Max(1, dpi).ToString("0.##", CultureInfo.InvariantCulture);
        var result = await ToolProcess.RunAsync(pdftoppm,
            ["-f", page.ToString(CultureInfo.InvariantCulture), "-l", page.ToString(CultureInfo.InvariantCulture),
             "-r", resolution, "-gray", "-singlefile", pdfPath, prefix],
            timeout, MemoryLimitBytes, MaxListBytes, cancellationToken).ConfigureAwait(false);
        var image = prefix + ".pgm";
        if (result.TimedOut)
        {
            throw new OcrPageException($"rendering it took longer than {timeout.TotalSeconds:0} s");
        }
        if (!result.Succeeded || !File.Exists(image))
        {
            throw new OcrPageException($"it could not be rendered (pdftoppm exit code {result.ExitCode}{Quote(result.Errors)})");
        }
        return image;
    }

    /// <summary>
    /// Recognises the words of an image (every page of a multi-page TIFF) with Tesseract's automatic layout analysis,
    /// turning rotated pages upright first when OSD is installed. Throws <see cref="OcrPageException"/> on failure.
    /// </summary>
    internal async Task<IReadOnlyList<OcrPage>> RecogniseAsync(OcrTools tools, string imagePath, IReadOnlyList<string> languages,
        int? dpi, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var arguments = new List<string> { imagePath, "stdout", "-l", string.Join('+', languages), "--psm", tools.HasOsd ? "1" : "3" };
        if (dpi is { } resolution)
        {
            arguments.Add("--dpi");
            arguments.Add(resolution.ToString(CultureInfo.InvariantCulture));
        }
        arguments.Add("tsv");
        var result = await ToolProcess.RunAsync(tools.Tesseract!, arguments, timeout, MemoryLimitBytes, MaxTsvBytes, cancellationToken)
            .ConfigureAwait(false);
        if (result.TimedOut)
        {
            throw new OcrPageException($"recognising it took longer than {timeout.TotalSeconds:0} s");
        }
        if (result.OutputTooLarge)
        {
            throw new OcrPageException($"Tesseract's output went over {MaxTsvBytes / (1024 * 1024)} MiB");
        }
        if (!result.Succeeded)
        {
            throw new OcrPageException($"Tesseract failed (exit code {result.ExitCode}{Quote(result.Errors)})");
        }
        return TesseractTsv.Parse(result.Output);
    }

    /// <summary>The last line of a tool's error output, without paths (they name the temporary folder, not the user's file).</summary>
    private static string Quote(string errors)
    {
        var last = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault();
        if (string.IsNullOrEmpty(last))
        {
            return string.Empty;
        }
        var words = last.Split(' ').Select(w => w.Contains('/') ? "<file>" : w);
        var text = string.Join(' ', words);
        return ": " + (text.Length > 200 ? text[..200] : text);
    }
}
