using System.Globalization;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Pdf;

namespace Annotate.Annotators.Ocr;

/// <summary>
/// OCR of one document's pages: a temporary folder for the rendered images (deleted on dispose), the languages to read
/// in, and what to tell the user afterwards: which pages were read, which words were unsure, which pages failed and
/// why. Pages are recognised one after another: a document takes one core, as its other readers do.
/// </summary>
internal sealed class OcrPass : IDisposable
{
    /// <summary>Notice source of OCR notices.</summary>
    public const string NoticeSource = "ocr";

    private readonly TesseractOcr _ocr;
    private readonly OcrTools _tools;
    private readonly string _fileName;
    private readonly DirectoryInfo _folder;
    private readonly List<int> _read = [];
    private readonly List<int> _empty = [];
    private readonly List<(int Page, string Reason)> _failed = [];
    private readonly List<(int Page, PageWord Word)> _unsure = [];
    private int _words;

    private OcrPass(TesseractOcr ocr, OcrTools tools, OcrSettings settings, IReadOnlyList<string> languages, string fileName)
    {
        _ocr = ocr;
        _tools = tools;
        Settings = settings;
        Languages = languages;
        _fileName = fileName;
        _folder = Directory.CreateTempSubdirectory("annotate-ocr-");
    }

    /// <summary>The settings the document is read with.</summary>
    public OcrSettings Settings { get; }

    /// <summary>The Tesseract languages used.</summary>
    public IReadOnlyList<string> Languages { get; }

    /// <summary>
    /// Starts OCR of a document, or returns null, with a notice saying why, when it cannot run: turned off, Tesseract
    /// (or, for a PDF, pdftoppm) not installed, none of the languages installed.
    /// </summary>
    public static async Task<OcrPass?> StartAsync(TesseractOcr ocr, Readers.DocumentSource source, bool renders, List<Notice> notices)
    {
        var settings = ocr.SettingsFor(source.Ocr);
        if (!settings.Enabled)
        {
            return null;
        }
        var tools = await ocr.ToolsAsync().ConfigureAwait(false);
        if (tools.Tesseract is null || (renders && tools.Pdftoppm is null))
        {
            var missing = tools.Tesseract is null ? "Tesseract is" : "pdftoppm (poppler-utils) is";
            notices.Add(new Notice(UnavailableNotice,
                $"'{source.FileName}' needs OCR, but {missing} not installed on the server: install it with `{TesseractOcr.InstallHint}` (and the language packs, e.g. tesseract-ocr-deu).")
            { Source = NoticeSource });
            return null;
        }
        var (usable, missingLanguages) = OcrLanguages.Map(settings.Languages, tools.Languages);
        if (missingLanguages.Count > 0)
        {
            var packages = string.Join(' ', missingLanguages.Select(l => "tesseract-ocr-" + l.Replace('_', '-')));
            notices.Add(new Notice(LanguageMissingNotice,
                $"OCR of '{source.FileName}' cannot read {string.Join(", ", missingLanguages)}: no traineddata is installed for it (install {packages}). "
                + (usable.Count > 0 ? $"It is read in {string.Join("+", usable)}." : "It is not read."))
            { Source = NoticeSource });
        }
        if (usable.Count == 0)
        {
            return null;
        }
        return new OcrPass(ocr, tools, settings, usable, source.FileName);
    }

    /// <summary>Notice: OCR was needed but cannot run here.</summary>
    public const string UnavailableNotice = "ocr-unavailable";
    /// <summary>Notice: a configured language has no traineddata.</summary>
    public const string LanguageMissingNotice = "ocr-language-missing";
    /// <summary>Notice: pages were read with OCR.</summary>
    public const string ReadNotice = "ocr";
    /// <summary>Notice: words read with low confidence.</summary>
    public const string LowConfidenceNotice = "ocr-low-confidence";
    /// <summary>Notice: a page OCR could not read.</summary>
    public const string FailedNotice = "ocr-failed";
    /// <summary>Notice: OCR found no text on a page.</summary>
    public const string EmptyNotice = "ocr-no-text";
    /// <summary>Notice: more pages needed OCR than <see cref="OcrOptions.MaxPages"/>.</summary>
    public const string PageLimitNotice = "ocr-page-limit";

    /// <summary>
    /// Recognises page <paramref name="page"/> of a PDF: its own image when it is a scan at about the configured
    /// resolution (<see cref="PdfScanImage"/>), otherwise the page rendered at that resolution (lower if that would pass
    /// <see cref="OcrOptions.MaxPixels"/>); null, with the page named in a notice, when that fails.
    /// </summary>
    /// <param name="pdfPath">The PDF, for pdftoppm.</param>
    /// <param name="page">The page as its text layer was read.</param>
    /// <param name="parsed">The page as PdfPig parsed it, to take its image from; null to render it.</param>
    /// <param name="cancellationToken">Cancels the tools.</param>
    public async Task<PdfPageText?> RecognisePdfPageAsync(string pdfPath, PdfPageText page, UglyToad.PdfPig.Content.Page? parsed,
        CancellationToken cancellationToken)
    {
        var inches = Math.Max(1e-3, page.Width / 72) * Math.Max(1e-3, page.Height / 72);
        var dpi = Math.Min(Settings.Dpi, Math.Sqrt(_ocr.Options.MaxPixels / inches));
        if (dpi < 10)
        {
            Fail(page.Page, $"at {page.Width:0} × {page.Height:0} points it is too large to render for OCR");
            return null;
        }
        string? image = null;
        try
        {
            var deskew = _ocr.Options.Deskew;
            var own = parsed is null ? null : PdfScanImage.TryWrite(parsed, dpi, _ocr.Options.MaxPixels, _folder.FullName, grayOnly: deskew);
            if (own is not null && deskew && own.Path.EndsWith(".jpg", StringComparison.Ordinal))
            {
                // Straightened in gray pixels: the JPEG decoded here (cheaper than rendering the page), or the page
                // rendered when the decoder cannot read it.
                var gray = Path.ChangeExtension(own.Path, ".pgm");
                var decoded = GrayImageFile.TryWrite(own.Path, SourceFormat.Jpeg, 1, _ocr.Options.MaxPixels, gray);
                File.Delete(own.Path);
                own = decoded ? own with { Path = gray } : null;
            }
            if (own is not null)
            {
                image = own.Path;
                dpi = own.Dpi;
                PagesFromTheirImage++;
            }
            else
            {
                image = await _ocr.RenderPageAsync(_tools.Pdftoppm!, pdfPath, page.Page, dpi, _folder.FullName, Settings.PageTimeout, cancellationToken)
                    .ConfigureAwait(false);
            }
            var skew = deskew ? Deskew.StraightenFile(image, _ocr.Options.MaxPixels) : 0;
            var read = await _ocr.RecogniseAsync(_tools, image, Languages, (int)Math.Round(dpi), Settings.PageTimeout, cancellationToken)
                .ConfigureAwait(false);
            if (read.Count == 0)
            {
                Fail(page.Page, "Tesseract returned nothing for it");
                return null;
            }
            if (skew != 0)
            {
                Straightened.Add((page.Page, skew));
            }
            var words = skew == 0 ? read[0] : Deskew.OnScannedPage(read[0], skew);
            var recognised = OcrPageBuilder.Build(words, page.Page, page.Width, page.Height, page.HasImages);
            Count(recognised);
            return recognised;
        }
        catch (OcrPageException ex)
        {
            Fail(page.Page, ex.Message);
            return null;
        }
        finally
        {
            if (image is not null)
            {
                File.Delete(image);
            }
        }
    }

    /// <summary>Pages straightened before they were read, and the angle of their lines in degrees.</summary>
    public List<(int Page, double Degrees)> Straightened { get; } = [];

    /// <summary>Pages recognised from their own image, not rendered (<see cref="PdfScanImage"/>).</summary>
    public int PagesFromTheirImage { get; private set; }

    /// <summary>
    /// Recognises every page of an image file; pages of a multi-page TIFF come back in order. With
    /// <see cref="OcrOptions.Deskew"/> each page is decoded to gray pixels and straightened first, as a PDF's scanned
    /// pages are; a page the decoders here cannot read goes to Tesseract in the file as it is.
    /// </summary>
    public async Task<IReadOnlyList<OcrPage>> RecogniseImageAsync(string imagePath, SourceFormat format, int pages, CancellationToken cancellationToken)
    {
        if (!_ocr.Options.Deskew)
        {
            return await RecogniseFileAsync(imagePath, pages, Enumerable.Range(1, pages).ToList(), cancellationToken).ConfigureAwait(false);
        }
        var read = new List<OcrPage>();
        var undecoded = new List<int>();
        for (var page = 1; page <= pages; page++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var gray = Path.Combine(_folder.FullName, $"image-{page.ToString(CultureInfo.InvariantCulture)}.pgm");
            if (!GrayImageFile.TryWrite(imagePath, format, page, _ocr.Options.MaxPixels, gray))
            {
                undecoded.Add(page);
                continue;
            }
            try
            {
                var skew = Deskew.StraightenFile(gray, _ocr.Options.MaxPixels);
                var result = await _ocr.RecogniseAsync(_tools, gray, Languages, dpi: null, Settings.PageTimeout, cancellationToken).ConfigureAwait(false);
                if (result.Count > 0)
                {
                    var recognised = result[0] with { Page = page };
                    if (skew != 0)
                    {
                        Straightened.Add((page, skew));
                        recognised = Deskew.OnScannedPage(recognised, skew);
                    }
                    read.Add(recognised);
                }
            }
            catch (OcrPageException ex)
            {
                Fail(page, ex.Message);
            }
            finally
            {
                File.Delete(gray);
            }
        }
        if (undecoded.Count > 0)
        {
            read.AddRange(await RecogniseFileAsync(imagePath, pages, undecoded, cancellationToken).ConfigureAwait(false));
            read.Sort((a, b) => a.Page.CompareTo(b.Page));
        }
        return read;
    }

    /// <summary>Tesseract reads the file as it is (every page of a TIFF); the pages in <paramref name="wanted"/> are kept.</summary>
    private async Task<IReadOnlyList<OcrPage>> RecogniseFileAsync(string imagePath, int pages, IReadOnlyList<int> wanted, CancellationToken cancellationToken)
    {
        // Tesseract opens the file by its name: a copy with a plain name keeps odd names (spaces, quotes, bytes that are
        // not UTF-8) and the server's folders out of its arguments and its messages.
        var copy = Path.Combine(_folder.FullName, "image");
        File.Copy(imagePath, copy, overwrite: true);
        try
        {
            var read = await _ocr.RecogniseAsync(_tools, copy, Languages, dpi: null, Settings.PageTimeout * Math.Max(1, pages), cancellationToken)
                .ConfigureAwait(false);
            return read.Where(p => wanted.Contains(p.Page)).ToList();
        }
        catch (OcrPageException ex)
        {
            foreach (var page in wanted)
            {
                Fail(page, ex.Message);
            }
            return [];
        }
        finally
        {
            File.Delete(copy);
        }
    }

    /// <summary>Counts a recognised page for the notices.</summary>
    public void Count(PdfPageText page)
    {
        if (page.Words.Count == 0)
        {
            _empty.Add(page.Page);
            return;
        }
        _read.Add(page.Page);
        _words += page.Words.Count;
        var threshold = _ocr.Options.LowConfidence;
        _unsure.AddRange(page.Words.Where(w => w.Confidence < threshold).Select(w => (page.Page, w)));
    }

    /// <summary>True when a page was named as one that could not be read.</summary>
    public bool HasFailed(int page) => _failed.Exists(f => f.Page == page);

    /// <summary>Names a page that could not be read.</summary>
    public void Fail(int page, string reason) => _failed.Add((page, reason));

    /// <summary>Names pages that were not read because there were more than <see cref="OcrSettings.MaxPages"/>.</summary>
    public void Skipped(IReadOnlyList<int> pages, List<Notice> notices)
    {
        if (pages.Count > 0)
        {
            notices.Add(new Notice(PageLimitNotice,
                $"Page(s) {Pages(pages)} of '{_fileName}' were not read with OCR: at most {Settings.MaxPages} page(s) of a document are (Annotate:Ocr:MaxPages).")
            { Source = NoticeSource });
        }
    }

    /// <summary>The notices of what was read, what was unsure and what failed.</summary>
    public void Report(List<Notice> notices)
    {
        if (_read.Count > 0)
        {
            var straightened = Straightened.Count == 0 ? ""
                : " Straightened first: " + string.Join(", ", Straightened.Take(20).Select(s => string.Create(CultureInfo.InvariantCulture, $"page {s.Page} (askew by {Math.Abs(s.Degrees):0.#}°)"))) + (Straightened.Count > 20 ? ", …" : "") + ".";
            notices.Add(new Notice(ReadNotice,
                $"Page(s) {Pages(_read)} of '{_fileName}' were read with OCR (Tesseract, {string.Join("+", Languages)}): {_words} word(s).{straightened}")
            { Source = NoticeSource });
        }
        if (_unsure.Count > 0)
        {
            var examples = string.Join(", ", _unsure.Take(10).Select(u => $"'{u.Word.Text}' (page {u.Page})"));
            notices.Add(new Notice(LowConfidenceNotice,
                $"{_unsure.Count} of {_words} word(s) OCR read on '{_fileName}' are unsure (confidence below {_ocr.Options.LowConfidence}), on page(s) {Pages(_unsure.Select(u => u.Page).Distinct().ToList())}: {examples}{(_unsure.Count > 10 ? ", …" : "")}. Their words carry their confidence; check them against the page.")
            { Source = NoticeSource });
        }
        foreach (var (page, reason) in _failed)
        {
            notices.Add(new Notice(FailedNotice, $"Page {page} of '{_fileName}' could not be read with OCR: {reason}.") { Source = NoticeSource });
        }
        if (_empty.Count > 0)
        {
            notices.Add(new Notice(EmptyNotice, $"OCR found no text on page(s) {Pages(_empty)} of '{_fileName}'.") { Source = NoticeSource });
        }
    }

    private static string Pages(IReadOnlyList<int> pages) =>
        string.Join(", ", pages.Take(50).Select(p => p.ToString(CultureInfo.InvariantCulture))) + (pages.Count > 50 ? ", …" : "");

    public void Dispose()
    {
        try
        {
            _folder.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A file a killed process still held; the system's temporary folder cleaning takes it.
        }
    }
}
