using System.Globalization;
using System.Text;

namespace Annotate.Annotators.Ocr;

/// <summary>
/// Straightens a grayscale page scanned askew: the angle of its text lines is found by projection profiles (the angle
/// at which the dark pixels, summed along lines of that slope, give the sharpest peaks and valleys), and the page is
/// turned back by it. Tesseract's orientation detection turns pages by quarter turns only, and its line finder reads
/// a page askew by a few degrees badly and one askew by six not at all.
/// </summary>
internal static class Deskew
{
    /// <summary>The largest skew measured, either way, in degrees.</summary>
    public const double MaxDegrees = 10;

    /// <summary>A page askew by less than this is read as it is: Tesseract copes, and turning costs a little sharpness.</summary>
    public const double MinDegrees = 0.4;

    /// <summary>The measure runs on the page scaled down to about this width.</summary>
    private const int SampleWidth = 800;

    /// <summary>The best angle's profile must be this much sharper than the upright one's to be believed.</summary>
    private const double MinGain = 1.05;

    private const byte Dark = 128;

    /// <summary>
    /// The slope of the page's text lines in degrees (positive when they fall to the right, image rows counted downwards),
    /// or 0 when the page is straight, has too little text to tell, or no angle stands out.
    /// </summary>
    public static double Measure(ReadOnlySpan<byte> pixels, int width, int height)
    {
        var step = Math.Max(1, width / SampleWidth);
        var points = new List<(float X, float Y)>();
        for (var y = 0; y < height; y += step)
        {
            var row = pixels.Slice(y * width, width);
            for (var x = 0; x < width; x += step)
            {
                if (row[x] < Dark)
                {
                    points.Add((x / step, y / step));
                }
            }
        }
        var (sampleWidth, sampleHeight) = (width / step, height / step);
        // Too few dark pixels for lines of text, or so many the page is a picture.
        if (points.Count < 200 || points.Count > sampleWidth * sampleHeight / 3)
        {
            return 0;
        }
        var bins = new int[sampleHeight + (2 * sampleWidth) + 2];
        var upright = Sharpness(points, 0, bins, sampleWidth);
        var (best, bestScore) = (0.0, upright);
        for (var degrees = -MaxDegrees; degrees <= MaxDegrees; degrees += 0.5)
        {
            var score = Sharpness(points, degrees, bins, sampleWidth);
            if (score > bestScore)
            {
                (best, bestScore) = (degrees, score);
            }
        }
        var coarse = best;
        for (var degrees = coarse - 0.5; degrees <= coarse + 0.5; degrees += 0.1)
        {
            var score = Sharpness(points, degrees, bins, sampleWidth);
            if (score > bestScore)
            {
                (best, bestScore) = (degrees, score);
            }
        }
        return Math.Abs(best) < MinDegrees || bestScore < upright * MinGain ? 0 : Math.Round(best, 1);
    }

    /// <summary>Sum of squares of the dark pixels counted along lines of the given slope: largest when the slope is the text's.</summary>
    private static double Sharpness(List<(float X, float Y)> points, double degrees, int[] bins, int width)
    {
        Array.Clear(bins);
        var slope = Math.Tan(degrees * Math.PI / 180);
        var offset = width + 1;
        foreach (var (x, y) in points)
        {
            var bin = (int)Math.Round(y - (x * slope)) + offset;
            if ((uint)bin < (uint)bins.Length)
            {
                bins[bin]++;
            }
        }
        double sum = 0;
        foreach (var count in bins)
        {
            sum += (double)count * count;
        }
        return sum;
    }

    /// <summary>
    /// The page turned so lines of the given slope run level, about its centre, blended from the four nearest pixels;
    /// corners turned in from outside the page are white.
    /// </summary>
    public static byte[] Straighten(ReadOnlySpan<byte> pixels, int width, int height, double degrees)
    {
        var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
        var (cx, cy) = (width / 2.0, height / 2.0);
        var result = new byte[width * height];
        for (var y = 0; y < height; y++)
        {
            var dy = y - cy;
            for (var x = 0; x < width; x++)
            {
                var dx = x - cx;
                var sx = cx + (dx * cos) - (dy * sin);
                var sy = cy + (dx * sin) + (dy * cos);
                var (x0, y0) = ((int)Math.Floor(sx), (int)Math.Floor(sy));
                if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height)
                {
                    result[(y * width) + x] = 255;
                    continue;
                }
                var (fx, fy) = (sx - x0, sy - y0);
                var at = (y0 * width) + x0;
                var top = (pixels[at] * (1 - fx)) + (pixels[at + 1] * fx);
                var bottom = (pixels[at + width] * (1 - fx)) + (pixels[at + width + 1] * fx);
                result[(y * width) + x] = (byte)((top * (1 - fy)) + (bottom * fy) + 0.5);
            }
        }
        return result;
    }

    /// <summary>
    /// The words of a straightened page with their boxes put back on the page as scanned: each box's corners turned back
    /// and the box around them taken.
    /// </summary>
    public static OcrPage OnScannedPage(OcrPage page, double degrees)
    {
        var (sin, cos) = Math.SinCos(degrees * Math.PI / 180);
        var (cx, cy) = (page.Width / 2.0, page.Height / 2.0);
        (double X, double Y) Back(double x, double y) => (cx + ((x - cx) * cos) - ((y - cy) * sin), cy + ((x - cx) * sin) + ((y - cy) * cos));
        var words = page.Words.Select(w =>
        {
            var corners = new[] { Back(w.Left, w.Top), Back(w.Left + w.Width, w.Top), Back(w.Left, w.Top + w.Height), Back(w.Left + w.Width, w.Top + w.Height) };
            var left = (int)Math.Floor(Math.Clamp(corners.Min(c => c.X), 0, page.Width));
            var top = (int)Math.Floor(Math.Clamp(corners.Min(c => c.Y), 0, page.Height));
            var right = (int)Math.Ceiling(Math.Clamp(corners.Max(c => c.X), 0, page.Width));
            var bottom = (int)Math.Ceiling(Math.Clamp(corners.Max(c => c.Y), 0, page.Height));
            return w with { Left = left, Top = top, Width = right - left, Height = bottom - top };
        }).ToList();
        return page with { Words = words };
    }

    /// <summary>
    /// Straightens a binary PGM file (P5, 8 bits) in place and returns the angle it was turned by, or 0 when it was left as
    /// it is (straight, not such a file, or larger than <paramref name="maxPixels"/>).
    /// </summary>
    public static double StraightenFile(string path, long maxPixels)
    {
        var bytes = File.ReadAllBytes(path);
        if (!TryReadPgm(bytes, out var width, out var height, out var start) || (long)width * height > maxPixels
            || bytes.Length - start != (long)width * height)
        {
            return 0;
        }
        var pixels = bytes.AsSpan(start);
        var degrees = Measure(pixels, width, height);
        if (degrees == 0)
        {
            return 0;
        }
        var straight = Straighten(pixels, width, height, degrees);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1);
        file.Write(bytes, 0, start);
        file.Write(straight);
        return degrees;
    }

    /// <summary>Reads a P5 header: width, height, a maximum of 255, then one whitespace byte before the pixels.</summary>
    private static bool TryReadPgm(byte[] bytes, out int width, out int height, out int start)
    {
        width = height = start = 0;
        if (bytes.Length < 2 || bytes[0] != 'P' || bytes[1] != '5')
        {
            return false;
        }
        var fields = new int[3];
        var position = 2;
        for (var field = 0; field < 3; field++)
        {
            while (position < bytes.Length && (char.IsWhiteSpace((char)bytes[position]) || bytes[position] == '#'))
            {
                if (bytes[position] == '#')
                {
                    while (position < bytes.Length && bytes[position] != '\n')
                    {
                        position++;
                    }
                }
                position++;
            }
            var begin = position;
            while (position < bytes.Length && bytes[position] is >= (byte)'0' and <= (byte)'9' && position - begin < 9)
            {
                position++;
            }
            if (position == begin || !int.TryParse(Encoding.ASCII.GetString(bytes, begin, position - begin), NumberStyles.None, CultureInfo.InvariantCulture, out fields[field]))
            {
                return false;
            }
        }
        if (position >= bytes.Length || !char.IsWhiteSpace((char)bytes[position]) || fields[2] != 255 || fields[0] <= 0 || fields[1] <= 0)
        {
            return false;
        }
        (width, height, start) = (fields[0], fields[1], position + 1);
        return true;
    }
}
