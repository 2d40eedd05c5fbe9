using System.Globalization;
using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Graphics.Colors;
using UglyToad.PdfPig.Tokens;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>A scanned page's own image written for Tesseract, and its resolution on the page.</summary>
/// <param name="Path">The image file (JPEG as the scanner wrote it, or PNM).</param>
/// <param name="Dpi">Pixels per inch of the image where the page shows it.</param>
internal sealed record PdfScanImageFile(string Path, double Dpi);

/// <summary>
/// Takes a scanned page's image as it is stored instead of rendering the page: when the page is one upright image
/// covering the whole page at about the resolution OCR asks for, Tesseract reads the same pixels pdftoppm would render,
/// without the rendering: a JPEG stream as it is stored (the caller decodes it to gray pixels to straighten it), 8-bit
/// gray or RGB samples and 1-bit gray (fax) samples, stored as they are or deflated, as a PGM, PPM or PBM file. Anything
/// else (a page turned by
/// <c>/Rotate</c>, an image placed turned or mirrored, masks, decode arrays, palettes, CMYK, a resolution far from the one
/// asked for) is left to pdftoppm, which draws the page as any viewer shows it.
/// </summary>
internal static class PdfScanImage
{
    /// <summary>The image's edges may miss the page's by this many points (scanners round the page size).</summary>
    private const double EdgeTolerance = 2;

    /// <summary>
    /// The image's resolution may be this much below or above the one asked for: within it, pdftoppm would only resample
    /// the image by a little, which does not help Tesseract.
    /// </summary>
    private const double LowestResolutionShare = 0.75;
    private const double HighestResolutionShare = 1.35;

    /// <summary>
    /// Writes the page's image into <paramref name="folder"/> when it can be read as it is, or returns null when the page
    /// must be rendered. Never throws for what the page holds: an image that cannot be taken as it is is rendered instead.
    /// </summary>
    /// <param name="page">The page, as PdfPig parsed it.</param>
    /// <param name="dpi">The resolution OCR renders pages at.</param>
    /// <param name="maxPixels">Most pixels an image may have.</param>
    /// <param name="folder">The OCR pass's temporary folder.</param>
    /// <param name="grayOnly">Take only 8-bit gray samples (written as a PGM file, what <see cref="Ocr.Deskew"/> straightens) and JPEG streams (which the caller decodes to gray); RGB and 1-bit samples are rendered.</param>
    public static PdfScanImageFile? TryWrite(Page page, double dpi, long maxPixels, string folder, bool grayOnly = false)
    {
        try
        {
            return page.Rotation.Value != 0 || page.NumberOfImages != 1 ? null : TryWrite(page, page.GetImages().Single(), dpi, maxPixels, folder, grayOnly);
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not IOException and not UnauthorizedAccessException)
        {
            // PdfPig could not decode the image's dictionary or data: pdftoppm reads what it can of the page.
            return null;
        }
    }

    private static PdfScanImageFile? TryWrite(Page page, IPdfImage image, double dpi, long maxPixels, string folder, bool grayOnly)
    {
        var (width, height) = (image.WidthInSamples, image.HeightInSamples);
        if (width <= 0 || height <= 0 || (long)width * height > maxPixels || image.IsImageMask || image.MaskImage is not null
            || !DefaultDecode(image.Decode) || !CoversPage(image.BoundingBox, page.CropBox.Bounds))
        {
            return null;
        }
        var across = width * 72 / image.BoundingBox.Width;
        var down = height * 72 / image.BoundingBox.Height;
        if (Math.Abs(across - down) > across * 0.02 || across < dpi * LowestResolutionShare || across > dpi * HighestResolutionShare)
        {
            return null;
        }
        var components = image.ColorSpaceDetails?.Type switch
        {
            ColorSpace.DeviceGray or ColorSpace.CalGray => 1,
            ColorSpace.DeviceRGB or ColorSpace.CalRGB => 3,
            ColorSpace.ICCBased when image.ColorSpaceDetails.NumberOfColorComponents is 1 or 3 => image.ColorSpaceDetails.NumberOfColorComponents,
            _ => 0,
        };
        var filters = Filters(image);
        var jpeg = filters is ["DCTDecode"] or ["DCT"];
        if (components == 0 || image.BitsPerComponent != 8 && (jpeg || grayOnly) || (grayOnly && !jpeg && components != 1))
        {
            return null;
        }
        if (jpeg)
        {
            var file = Path.Combine(folder, $"page-{page.Number.ToString(CultureInfo.InvariantCulture)}.jpg");
            File.WriteAllBytes(file, image.RawMemory.Span);
            return new PdfScanImageFile(file, across);
        }
        if (filters is not ([] or ["FlateDecode"] or ["Fl"]))
        {
            return null;
        }
        var inflate = filters.Count > 0;
        return image.BitsPerComponent switch
        {
            8 => WritePnm(page.Number, components == 1 ? "P5" : "P6", width, height, image.RawMemory, inflate, (long)width * height * components, invert: false, folder, across),
            1 when components == 1 => WritePnm(page.Number, "P4", width, height, image.RawMemory, inflate, (long)((width + 7) / 8) * height, invert: true, folder, across),
            _ => null,
        };
    }

    /// <summary>
    /// Writes a binary PNM file of the stored samples, inflated here rather than by PdfPig so that a stream that
    /// inflates past the image's size is stopped at it (a decompression bomb costs no memory). PBM's 1 is black where a
    /// 1-bit gray PDF image's 1 is white, so those bits are inverted. Samples short of or past the image's size are left
    /// to pdftoppm, which reads damaged images as viewers do.
    /// </summary>
    private static PdfScanImageFile? WritePnm(int page, string magic, int width, int height, ReadOnlyMemory<byte> stored, bool inflate,
        long expected, bool invert, string folder, double dpi)
    {
        var extension = magic switch { "P4" => "pbm", "P5" => "pgm", _ => "ppm" };
        var path = Path.Combine(folder, $"page-{page.ToString(CultureInfo.InvariantCulture)}.{extension}");
        var header = Encoding.ASCII.GetBytes(magic == "P4" ? $"P4\n{width} {height}\n" : $"{magic}\n{width} {height}\n255\n");
        long written = 0;
        using (var source = Samples(stored, inflate))
        using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1))
        {
            file.Write(header);
            var buffer = new byte[1 << 16];
            try
            {
                int read;
                while (written <= expected && (read = source.Read(buffer, 0, buffer.Length)) > 0)
                {
                    if (invert)
                    {
                        for (var i = 0; i < read; i++)
                        {
                            buffer[i] = (byte)~buffer[i];
                        }
                    }
                    var keep = (int)Math.Min(read, expected + 1 - written);
                    file.Write(buffer, 0, keep);
                    written += read;
                }
            }
            catch (InvalidDataException)
            {
                written = -1; // not a zlib stream after all
            }
        }
        if (written == expected)
        {
            return new PdfScanImageFile(path, dpi);
        }
        File.Delete(path);
        return null;
    }

    private static Stream Samples(ReadOnlyMemory<byte> stored, bool inflate)
    {
        var bytes = System.Runtime.InteropServices.MemoryMarshal.TryGetArray(stored, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(stored.ToArray(), writable: false);
        return inflate ? new System.IO.Compression.ZLibStream(bytes, System.IO.Compression.CompressionMode.Decompress) : bytes;
    }

    /// <summary>The image's filters by name, in order; an image stored without a filter has none.</summary>
    private static List<string> Filters(IPdfImage image)
    {
        var names = new List<string>();
        if (!image.ImageDictionary.TryGet(NameToken.Filter, out var filter) && !image.ImageDictionary.TryGet(NameToken.F, out filter))
        {
            return names;
        }
        switch (filter)
        {
            case NameToken name:
                names.Add(name.Data);
                break;
            case ArrayToken array:
                // A filter given by reference or not by name: not one this takes as it is.
                names.AddRange(array.Data.Select(t => t is NameToken n ? n.Data : "?"));
                break;
            default:
                names.Add("?");
                break;
        }
        // Decode parameters (a PNG predictor, a fax image's layout) are what pdftoppm understands and this does not.
        if (image.ImageDictionary.TryGet(NameToken.DecodeParms, out _) || image.ImageDictionary.TryGet(NameToken.Dp, out _))
        {
            names.Add("?");
        }
        return names;
    }

    /// <summary>True when the decode array is absent or maps every sample to itself ([0 1 0 1 …]).</summary>
    private static bool DefaultDecode(IReadOnlyList<double>? decode)
    {
        if (decode is null)
        {
            return true;
        }
        for (var i = 0; i < decode.Count; i++)
        {
            if (decode[i] != (i % 2 == 0 ? 0 : 1))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>True when the image is drawn upright, not mirrored, over the whole visible page.</summary>
    private static bool CoversPage(UglyToad.PdfPig.Core.PdfRectangle image, UglyToad.PdfPig.Core.PdfRectangle page) =>
        Math.Abs(image.Rotation) < 0.01
        && image.TopLeft.X < image.TopRight.X && image.TopLeft.Y > image.BottomLeft.Y
        && Math.Abs(image.Left - page.Left) <= EdgeTolerance && Math.Abs(image.Right - page.Right) <= EdgeTolerance
        && Math.Abs(image.Bottom - page.Bottom) <= EdgeTolerance && Math.Abs(image.Top - page.Top) <= EdgeTolerance;
}
