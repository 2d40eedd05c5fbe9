using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Parser.Parts;
using UglyToad.PdfPig.Tokens;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Tells whether the number of pages PdfPig found can be stated as a fact. Lenient parsing repairs a damaged
/// cross-reference table silently, and when the page tree cannot be reached it makes up a single empty page; so the
/// count is uncertain when the file's own cross-reference data does not point where it says, or when the page tree's
/// <c>/Count</c> is missing or disagrees with the pages found.
/// </summary>
internal static partial class PdfPageCountCheck
{
    /// <summary>How far from the end of the file <c>startxref</c> is looked for (PDF readers use 1 KB; some files pad more).</summary>
    private const int TailBytes = 4096;

    /// <summary>Why the page count is uncertain, or null when the structure PdfPig read is consistent.</summary>
    public static string? Doubt(PdfDocument pdf, Stream file)
    {
        string? tree;
        try
        {
            tree = PageTreeDoubt(pdf);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The pages were read already; a page tree PdfPig cannot walk again only makes their number uncertain.
            tree = "its page tree cannot be read";
        }
        if (tree is not null)
        {
            return tree;
        }
        var declared = DeclaredXrefOffset(file);
        if (declared is null)
        {
            return "it has no startxref pointer to its cross-reference data";
        }
        if (!StartsXrefSection(file, declared.Value))
        {
            return "its startxref pointer does not point at its cross-reference data";
        }
        var misplaced = pdf.Structure.CrossReferenceTable.ObjectOffsets
            .Where(o => o.Value.Type == XrefEntryType.File)
            .OrderBy(o => o.Value.Value1)
            .Count(o => !StartsObject(file, o.Value.Value1, o.Key));
        return misplaced > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{misplaced} entries of its cross-reference table do not point at their objects")
            : null;
    }

    private static string? PageTreeDoubt(PdfDocument pdf)
    {
        var scanner = pdf.Structure.TokenScanner;
        var catalog = pdf.Structure.Catalog.CatalogDictionary;
        if (!catalog.TryGet(NameToken.Pages, out var pagesToken)
            || !DirectObjectFinder.TryGet(pagesToken, scanner, out DictionaryToken? pages)
            || pages is null)
        {
            return "its page tree cannot be found";
        }
        if (!pages.TryGet(NameToken.Count, out var countToken)
            || !DirectObjectFinder.TryGet(countToken, scanner, out NumericToken? count)
            || count is null)
        {
            return "its page tree does not say how many pages it has";
        }
        return count.Int == pdf.NumberOfPages
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"its page tree says {count.Int} pages but {pdf.NumberOfPages} were found");
    }

    /// <summary>The offset the file's last <c>startxref</c> declares, or null when it has none.</summary>
    public static long? DeclaredXrefOffset(Stream file)
    {
        var length = (int)Math.Min(TailBytes, file.Length);
        var tail = ReadAt(file, file.Length - length, length);
        var matches = StartXref().Matches(tail);
        return matches.Count > 0 && long.TryParse(matches[^1].Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var offset)
            ? offset
            : null;
    }

    /// <summary>A classic table starts with <c>xref</c>; a cross-reference stream is an object (<c>12 0 obj</c>).</summary>
    private static bool StartsXrefSection(Stream file, long offset) =>
        offset < file.Length && XrefSection().IsMatch(ReadAt(file, offset, 32));

    private static bool StartsObject(Stream file, long offset, IndirectReference reference)
    {
        if (offset <= 0 || offset >= file.Length)
        {
            return false;
        }
        var match = ObjectHeader().Match(ReadAt(file, offset, 48));
        return match.Success
            && long.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number == reference.ObjectNumber
            && int.TryParse(match.Groups[2].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var generation) && generation == reference.Generation;
    }

    private static string ReadAt(Stream file, long offset, int count)
    {
        file.Position = offset;
        var buffer = new byte[(int)Math.Min(count, file.Length - offset)];
        file.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        // Latin-1 keeps one char per byte, so offsets and digits read as they are.
        return Encoding.Latin1.GetString(buffer);
    }

    [GeneratedRegex(@"startxref\s+(\d{1,15})")]
    private static partial Regex StartXref();

    [GeneratedRegex(@"^\s*(?:xref|\d+\s+\d+\s+obj)")]
    private static partial Regex XrefSection();

    [GeneratedRegex(@"^\s*(\d{1,10})\s+(\d{1,5})\s+obj")]
    private static partial Regex ObjectHeader();
}
