using System.Globalization;
using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Tokens;

namespace Annotate.Annotators.Readers.Pdf;

/// <summary>
/// Rebuilds the page tree of a PDF whose own tree cannot be reached, the way poppler reconstructs a damaged file: every
/// object PdfPig can still resolve that is a page is collected, in object order, under a new page tree and catalog
/// appended to the file. PdfPig's lenient parser then reads the repaired copy, which is never written to disk.
/// </summary>
internal static class PdfPageTreeRepair
{
    /// <summary>The repaired bytes, or null when no page object could be found.</summary>
    /// <param name="pdf">The file as PdfPig opened it.</param>
    /// <param name="file">The file's bytes.</param>
    /// <param name="previousXref">Where the file's own cross-reference data starts, by its startxref, if it has one.</param>
    /// <param name="cancellationToken">Stops the search.</param>
    public static byte[]? TryRebuild(PdfDocument pdf, Stream file, long? previousXref, CancellationToken cancellationToken)
    {
        var pages = new List<IndirectReference>();
        long highest = 0;
        foreach (var reference in pdf.Structure.CrossReferenceTable.ObjectOffsets.Keys.OrderBy(r => r.ObjectNumber))
        {
            cancellationToken.ThrowIfCancellationRequested();
            highest = Math.Max(highest, reference.ObjectNumber);
            if (IsPage(pdf, reference))
            {
                pages.Add(reference);
            }
        }
        if (pages.Count == 0)
        {
            return null;
        }
        var tree = highest + 1;
        var catalog = highest + 2;
        var kids = string.Join(' ', pages.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.ObjectNumber} {p.Generation} R")));
        // An incremental update: the new page tree and catalog, a cross-reference section for them alone and a trailer
        // naming the new catalog; /Prev leads to the file's own section for every other object.
        var update = new StringBuilder();
        var treeOffset = file.Length + update.Append('\n').Length;
        update.Append(CultureInfo.InvariantCulture, $"{tree} 0 obj\n<< /Type /Pages /Kids [{kids}] /Count {pages.Count} >>\nendobj\n");
        var catalogOffset = file.Length + update.Length;
        update.Append(CultureInfo.InvariantCulture, $"{catalog} 0 obj\n<< /Type /Catalog /Pages {tree} 0 R >>\nendobj\n");
        var xrefOffset = file.Length + update.Length;
        update.Append("xref\n0 1\n0000000000 65535 f\r\n")
            .Append(CultureInfo.InvariantCulture, $"{tree} 2\n{treeOffset:D10} 00000 n\r\n{catalogOffset:D10} 00000 n\r\n")
            .Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {catalog + 1} /Root {catalog} 0 R")
            .Append(previousXref is { } previous ? string.Create(CultureInfo.InvariantCulture, $" /Prev {previous}") : string.Empty)
            .Append(CultureInfo.InvariantCulture, $" >>\nstartxref\n{xrefOffset}\n%%EOF\n");
        var repaired = new MemoryStream((int)Math.Min(int.MaxValue, file.Length + update.Length));
        file.Position = 0;
        file.CopyTo(repaired);
        repaired.Write(Encoding.ASCII.GetBytes(update.ToString()));
        return repaired.ToArray();
    }

    private static bool IsPage(PdfDocument pdf, IndirectReference reference)
    {
        try
        {
            return pdf.Structure.GetObject(reference).Data is DictionaryToken dictionary
                && dictionary.TryGet(NameToken.Type, out var type)
                && type is NameToken name
                && name.Equals(NameToken.Page);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // An object that no longer parses is no page we can read.
            return false;
        }
    }
}
