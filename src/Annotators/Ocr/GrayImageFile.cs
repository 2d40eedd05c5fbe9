using System.Globalization;
using System.Text;
using Annotate.Annotators.Documents;
using BitMiracle.LibTiff.Classic;
using SkiaSharp;

namespace Annotate.Annotators.Ocr;

/// <summary>
/// Decodes a page of an image file (PNG and JPEG with SkiaSharp, each page of a TIFF with LibTiff.NET) into an 8-bit gray
/// PGM file, the form <see cref="Deskew"/> straightens, so image files go through the same path as scanned PDF pages.
/// Transparent pixels are laid on white. The sizes were checked against the limits before (ImageHeader); a file a decoder
/// cannot read is not judged by it: Tesseract then reads the file as it is.
/// </summary>
internal static class GrayImageFile
{
    /// <summary>Writes page <paramref name="page"/> (1-based) of the image to <paramref name="target"/>; false when it cannot be decoded here.</summary>
    public static bool TryWrite(string imagePath, SourceFormat format, int page, long maxPixels, string target)
    {
        try
        {
            var gray = format == SourceFormat.Tiff ? TiffPage(imagePath, page, maxPixels) : Decoded(imagePath, maxPixels);
            if (gray is not { } image)
            {
                return false;
            }
            using var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
            file.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P5\n{image.Width} {image.Height}\n255\n")));
            file.Write(image.Pixels);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not OutOfMemoryException)
        {
            File.Delete(target);
            return false;
        }
    }

    private readonly record struct Gray(int Width, int Height, byte[] Pixels);

    private static Gray? Decoded(string path, long maxPixels)
    {
        using var codec = SKCodec.Create(path);
        if (codec is null || (long)codec.Info.Width * codec.Info.Height > maxPixels)
        {
            return null;
        }
        // Gray straight from the decoder where it can (a JPEG's luma channel), else RGBA turned to gray here.
        var grayInfo = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        if (codec.Info.AlphaType == SKAlphaType.Opaque)
        {
            using var gray = new SKBitmap(grayInfo);
            if (gray.RowBytes == grayInfo.Width
                && codec.GetPixels(grayInfo, gray.GetPixels()) is SKCodecResult.Success or SKCodecResult.IncompleteInput)
            {
                return new Gray(grayInfo.Width, grayInfo.Height, gray.GetPixelSpan().ToArray());
            }
        }
        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        using var bitmap = new SKBitmap(info);
        var result = codec.GetPixels(info, bitmap.GetPixels());
        if (result is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            return null;
        }
        var rgba = bitmap.GetPixelSpan();
        var pixels = new byte[info.Width * info.Height];
        for (var i = 0; i < pixels.Length; i++)
        {
            var at = i * 4;
            pixels[i] = Luma(rgba[at], rgba[at + 1], rgba[at + 2], rgba[at + 3]);
        }
        return new Gray(info.Width, info.Height, pixels);
    }

    private static Gray? TiffPage(string path, int page, long maxPixels)
    {
        Tiff.SetErrorHandler(Quiet.Instance);
        using var tiff = Tiff.Open(path, "r");
        if (tiff is null || !tiff.SetDirectory((short)(page - 1)))
        {
            return null;
        }
        var width = tiff.GetField(TiffTag.IMAGEWIDTH)?[0].ToInt() ?? 0;
        var height = tiff.GetField(TiffTag.IMAGELENGTH)?[0].ToInt() ?? 0;
        if (width <= 0 || height <= 0 || (long)width * height > maxPixels)
        {
            return null;
        }
        var raster = new int[width * height];
        if (!tiff.ReadRGBAImageOriented(width, height, raster, Orientation.TOPLEFT))
        {
            return null;
        }
        var pixels = new byte[raster.Length];
        for (var i = 0; i < raster.Length; i++)
        {
            var abgr = raster[i];
            pixels[i] = Luma((byte)Tiff.GetR(abgr), (byte)Tiff.GetG(abgr), (byte)Tiff.GetB(abgr), (byte)Tiff.GetA(abgr));
        }
        return new Gray(width, height, pixels);
    }

    /// <summary>Rec. 601 luma, laid on white by the pixel's alpha.</summary>
    private static byte Luma(byte r, byte g, byte b, byte a)
    {
        var luma = ((299 * r) + (587 * g) + (114 * b)) / 1000;
        return (byte)(((luma * a) + (255 * (255 - a))) / 255);
    }

    /// <summary>LibTiff's warnings and errors go nowhere: a page it cannot read is read by Tesseract instead.</summary>
    private sealed class Quiet : TiffErrorHandler
    {
        public static readonly Quiet Instance = new();

        public override void WarningHandler(Tiff tif, string method, string format, params object[] args)
        {
        }

        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }

        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args)
        {
        }

        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args)
        {
        }
    }
}
