using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;

namespace Annotate.Annotators.Tests.Ocr;

/// <summary>An 8-bit grayscale image, row by row from the top left.</summary>
public sealed record GrayImage(int Width, int Height, byte[] Pixels)
{
    /// <summary>The image turned clockwise by 90, 180 or 270 degrees, as a scanner fed the page sideways or upside down gives it.</summary>
    public GrayImage Rotate(int degrees)
    {
        if (degrees % 360 == 0)
        {
            return this;
        }
        var turned = Width == Height || degrees % 180 == 0 ? (Width, Height) : (Height, Width);
        var pixels = new byte[Pixels.Length];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                var (nx, ny) = (degrees % 360) switch
                {
                    90 => (Height - 1 - y, x),
                    180 => (Width - 1 - x, Height - 1 - y),
                    270 => (y, Width - 1 - x),
                    _ => throw new ArgumentOutOfRangeException(nameof(degrees)),
                };
                pixels[(ny * turned.Item1) + nx] = Pixels[(y * Width) + x];
            }
        }
        return new GrayImage(turned.Item1, turned.Item2, pixels);
    }

    /// <summary>
    /// The image turned about its centre by a few degrees (counter-clockwise for positive angles), as a page lies askew on
    /// a scanner's glass; corners turned in from outside are white.
    /// </summary>
    public GrayImage Skew(double degrees)
    {
        var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
        var (cx, cy) = (Width / 2.0, Height / 2.0);
        var pixels = new byte[Pixels.Length];
        for (var y = 0; y < Height; y++)
        {
            for (var x = 0; x < Width; x++)
            {
                // The source pixel that lands here: the target turned back (y grows downwards in the image).
                var (dx, dy) = (x - cx, y - cy);
                var (sx, sy) = (cx + (dx * cos) - (dy * sin), cy + (dx * sin) + (dy * cos));
                // Blended from the four pixels around it, as a scanner's optics blur an edge.
                var (x0, y0) = ((int)Math.Floor(sx), (int)Math.Floor(sy));
                var (fx, fy) = (sx - x0, sy - y0);
                double At(int px, int py) => px >= 0 && px < Width && py >= 0 && py < Height ? Pixels[(py * Width) + px] : 255;
                var value = (At(x0, y0) * (1 - fx) * (1 - fy)) + (At(x0 + 1, y0) * fx * (1 - fy))
                    + (At(x0, y0 + 1) * (1 - fx) * fy) + (At(x0 + 1, y0 + 1) * fx * fy);
                pixels[(y * Width) + x] = (byte)Math.Round(value);
            }
        }
        return this with { Pixels = pixels };
    }
}

/// <summary>
/// Makes scans in the test: pages of a PDF rendered with the real pdftoppm into grayscale pixels, PNG or JPEG files,
/// and written back as image-only PDFs (no text layer) or uncompressed multi-page TIFFs.
/// </summary>
public static class ScanImages
{
    /// <summary>Renders page <paramref name="page"/> of <paramref name="pdf"/> to grayscale pixels at <paramref name="dpi"/>.</summary>
    public static GrayImage Render(string pdf, int dpi, int page = 1)
    {
        var prefix = Path.Combine(Path.GetDirectoryName(pdf)!, "render-" + Guid.NewGuid().ToString("N"));
        Pdftoppm("-f", page.ToString(CultureInfo.InvariantCulture), "-l", page.ToString(CultureInfo.InvariantCulture),
            "-r", dpi.ToString(CultureInfo.InvariantCulture), "-gray", "-singlefile", pdf, prefix);
        var bytes = File.ReadAllBytes(prefix + ".pgm");
        File.Delete(prefix + ".pgm");
        // P5, width, height, maximum value, each followed by one whitespace byte, then the pixels.
        var fields = new List<int>();
        var position = 2;
        while (fields.Count < 3)
        {
            while (char.IsWhiteSpace((char)bytes[position]))
            {
                position++;
            }
            var start = position;
            while (!char.IsWhiteSpace((char)bytes[position]))
            {
                position++;
            }
            fields.Add(int.Parse(Encoding.ASCII.GetString(bytes, start, position - start), CultureInfo.InvariantCulture));
        }
        position++;
        return new GrayImage(fields[0], fields[1], bytes[position..(position + (fields[0] * fields[1]))]);
    }

    /// <summary>Renders the first page of <paramref name="pdf"/> to a PNG or JPEG file (<paramref name="kind"/> <c>png</c> or <c>jpeg</c>).</summary>
    public static void RenderFile(string pdf, int dpi, string kind, string target)
    {
        var prefix = Path.Combine(Path.GetDirectoryName(pdf)!, "file-" + Guid.NewGuid().ToString("N"));
        Pdftoppm("-f", "1", "-l", "1", "-r", dpi.ToString(CultureInfo.InvariantCulture), "-" + kind, "-singlefile", pdf, prefix);
        File.Move(prefix + (kind == "png" ? ".png" : ".jpg"), target);
    }

    /// <summary>
    /// Writes the images as the pages of a PDF with no text layer, each page sized to its image at <paramref name="dpi"/>,
    /// the way a scanner writes one.
    /// </summary>
    public static void ImagePdf(string path, int dpi, params GrayImage[] pages)
    {
        var objects = new List<byte[]> { Ascii("<< /Type /Catalog /Pages 2 0 R >>"), Array.Empty<byte>() };
        var kids = new List<string>();
        foreach (var page in pages)
        {
            var (width, height) = (page.Width * 72.0 / dpi, page.Height * 72.0 / dpi);
            var pageId = objects.Count + 1;
            kids.Add($"{pageId} 0 R");
            var size = string.Create(CultureInfo.InvariantCulture, $"{width:0.###} {height:0.###}");
            objects.Add(Ascii($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size}] /Resources << /XObject << /Im1 {pageId + 1} 0 R >> >> /Contents {pageId + 2} 0 R >>"));
            var compressed = Compress(page.Pixels);
            objects.Add([.. Ascii($"<< /Type /XObject /Subtype /Image /Width {page.Width} /Height {page.Height} /ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /FlateDecode /Length {compressed.Length} >>\nstream\n"), .. compressed, .. Ascii("\nendstream")]);
            var content = Ascii($"q {size.Replace(" ", " 0 0 ")} 0 0 cm /Im1 Do Q");
            objects.Add([.. Ascii($"<< /Length {content.Length} >>\nstream\n"), .. content, .. Ascii("\nendstream")]);
        }
        objects[1] = Ascii($"<< /Type /Pages /Kids [{string.Join(' ', kids)}] /Count {pages.Length} >>");
        KeyValues.WinAnsiPdf.Write(path, objects);
    }

    /// <summary>
    /// Writes one page holding one image stream as given: its dictionary entries after <c>/Subtype /Image</c>, its stored
    /// bytes, the page's content (which places it: <c>{w}</c> and <c>{h}</c> stand for the page's size in points) and
    /// extra entries of the page dictionary (a <c>/Rotate</c>).
    /// </summary>
    public static void ImageStreamPdf(string path, double widthPoints, double heightPoints, string imageEntries, byte[] stored,
        string content = "q {w} 0 0 {h} 0 0 cm /Im1 Do Q", string pageEntries = "")
    {
        var size = string.Create(CultureInfo.InvariantCulture, $"{widthPoints:0.###} {heightPoints:0.###}");
        var drawn = Ascii(content.Replace("{w}", size.Split(' ')[0]).Replace("{h}", size.Split(' ')[1]));
        KeyValues.WinAnsiPdf.Write(path,
        [
            Ascii("<< /Type /Catalog /Pages 2 0 R >>"),
            Ascii("<< /Type /Pages /Kids [3 0 R] /Count 1 >>"),
            Ascii($"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {size}] {pageEntries} /Resources << /XObject << /Im1 4 0 R >> >> /Contents 5 0 R >>"),
            [.. Ascii($"<< /Type /XObject /Subtype /Image {imageEntries} /Length {stored.Length} >>\nstream\n"), .. stored, .. Ascii("\nendstream")],
            [.. Ascii($"<< /Length {drawn.Length} >>\nstream\n"), .. drawn, .. Ascii("\nendstream")],
        ]);
    }

    /// <summary>Deflates bytes as a PDF's <c>/FlateDecode</c> filter stores them.</summary>
    public static byte[] Deflate(byte[] bytes) => Compress(bytes);

    /// <summary>Writes the image as a grayscale PNG file (encoded with SkiaSharp).</summary>
    public static void Png(string path, GrayImage image)
    {
        var info = new SkiaSharp.SKImageInfo(image.Width, image.Height, SkiaSharp.SKColorType.Gray8, SkiaSharp.SKAlphaType.Opaque);
        using var bitmap = new SkiaSharp.SKBitmap(info);
        image.Pixels.CopyTo(bitmap.GetPixelSpan());
        using var data = bitmap.Encode(SkiaSharp.SKEncodedImageFormat.Png, 100);
        File.WriteAllBytes(path, data.ToArray());
    }

    /// <summary>Writes the images as the pages of one uncompressed grayscale TIFF (little-endian), one IFD per page.</summary>
    public static void Tiff(string path, params GrayImage[] pages)
    {
        using var file = new MemoryStream();
        file.Write("II*\0"u8);
        var nextPointer = file.Position;
        file.Write(new byte[4]);
        var entry = new byte[12];
        foreach (var page in pages)
        {
            var pixels = file.Position;
            file.Write(page.Pixels);
            if (file.Position % 2 == 1)
            {
                file.WriteByte(0);
            }
            var ifd = file.Position;
            Patch(file, nextPointer, (uint)ifd);
            (ushort Tag, ushort Type, uint Value)[] entries =
            [
                (256, 4, (uint)page.Width), (257, 4, (uint)page.Height), (258, 3, 8), (259, 3, 1), (262, 3, 1),
                (273, 4, (uint)pixels), (277, 3, 1), (278, 4, (uint)page.Height), (279, 4, (uint)page.Pixels.Length),
            ];
            BinaryPrimitives.WriteUInt16LittleEndian(entry, (ushort)entries.Length);
            file.Write(entry, 0, 2);
            foreach (var (tag, type, value) in entries)
            {
                Array.Clear(entry);
                BinaryPrimitives.WriteUInt16LittleEndian(entry, tag);
                BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(2), type);
                BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(4), 1);
                if (type == 3)
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(entry.AsSpan(8), (ushort)value);
                }
                else
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(8), value);
                }
                file.Write(entry);
            }
            nextPointer = file.Position;
            file.Write(new byte[4]);
        }
        File.WriteAllBytes(path, file.ToArray());
    }

    private static void Patch(MemoryStream file, long at, uint value)
    {
        var end = file.Position;
        file.Position = at;
        Span<byte> bytes = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, value);
        file.Write(bytes);
        file.Position = end;
    }

    private static byte[] Compress(byte[] bytes)
    {
        using var output = new MemoryStream();
        using (var zlib = new ZLibStream(output, CompressionLevel.Fastest))
        {
            zlib.Write(bytes);
        }
        return output.ToArray();
    }

    private static void Pdftoppm(params string[] arguments)
    {
        var start = new ProcessStartInfo("pdftoppm") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"pdftoppm failed ({process.ExitCode}): {errors}");
        }
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}
