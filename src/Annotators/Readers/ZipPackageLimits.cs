using System.Globalization;
using System.IO.Compression;
using Annotate.Annotators.Pipeline;

namespace Annotate.Annotators.Readers;

/// <summary>What a ZIP-based document (xlsx, docx) declares about itself, read from its central directory alone.</summary>
/// <param name="CompressedBytes">Sum of the entries' compressed sizes.</param>
/// <param name="UncompressedBytes">Sum of the entries' declared uncompressed sizes.</param>
/// <param name="LargestEntry">Name of the entry with the largest declared uncompressed size.</param>
/// <param name="LargestEntryBytes">Its declared uncompressed size.</param>
public sealed record ZipPackageInfo(long CompressedBytes, long UncompressedBytes, string? LargestEntry, long LargestEntryBytes);

/// <summary>
/// Refuses ZIP packages that would inflate beyond what Annotate is willing to hold, before any parser opens them:
/// the central directory is read (a few KB) and each entry's declared size and compression ratio checked against
/// <see cref="ReaderOptions"/>. Parsers that read entries themselves should also bound what they actually inflate
/// (<see cref="BoundedReadStream"/>), since declared sizes can lie.
/// </summary>
public static class ZipPackageLimits
{
    /// <summary>Checks <paramref name="source"/>; throws <c>too-large</c> with the numbers when a limit is passed.</summary>
    public static ZipPackageInfo Check(DocumentSource source, ReaderOptions options)
    {
        using var stream = source.OpenRead();
        return Check(stream, source.FileName, options);
    }

    /// <summary>Checks the package in <paramref name="stream"/> (left open).</summary>
    public static ZipPackageInfo Check(Stream stream, string fileName, ReaderOptions options)
    {
        long compressed = 0, uncompressed = 0, largest = -1;
        string? largestName = null;
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
        {
            if (zip.Entries.Count > options.MaxZipEntries)
            {
                throw TooLarge(fileName, $"it holds {Count(zip.Entries.Count)} entries, over the limit of {Count(options.MaxZipEntries)} (Annotate:Readers:MaxZipEntries)");
            }
            foreach (var entry in zip.Entries)
            {
                compressed += entry.CompressedLength;
                uncompressed += entry.Length;
                if (entry.Length > largest)
                {
                    largest = entry.Length;
                    largestName = entry.FullName;
                }
                // Small entries may compress extremely well (a run of empty cells) without harm; the ratio matters only
                // once an entry is large enough to cost memory.
                if (entry.Length > options.ZipRatioCheckBytes
                    && entry.Length > (double)Math.Max(entry.CompressedLength, 1) * options.MaxCompressionRatio)
                {
                    throw TooLarge(fileName,
                        $"its part '{entry.FullName}' inflates from {Count(entry.CompressedLength)} to {Count(entry.Length)} bytes, a ratio of {Ratio(entry)}:1, over the limit of {Count(options.MaxCompressionRatio)}:1 (Annotate:Readers:MaxCompressionRatio)");
                }
            }
        }
        if (uncompressed > options.MaxUncompressedBytes)
        {
            throw TooLarge(fileName,
                $"it inflates to {Count(uncompressed)} bytes, over the limit of {Count(options.MaxUncompressedBytes)} bytes (Annotate:Readers:MaxUncompressedBytes)");
        }
        return new ZipPackageInfo(compressed, uncompressed, largestName, Math.Max(largest, 0));
    }

    /// <summary>The <c>too-large</c> failure for a package, with the reason.</summary>
    public static AnnotationException TooLarge(string fileName, string why) =>
        new(FailureReason.TooLarge, $"'{fileName}' is refused: {why}.");

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    private static string Ratio(ZipArchiveEntry entry) =>
        (entry.Length / (double)Math.Max(entry.CompressedLength, 1)).ToString("N0", CultureInfo.InvariantCulture);
}
