using System.Globalization;
using System.Xml;
using Annotate.Annotators.Pipeline;

namespace Annotate.Annotators.Readers.Docx;

/// <summary>
/// Reads an XML part of a .docx once with a plain <see cref="XmlReader"/> (iterative, bounded buffers) before the Open XML SDK
/// turns any of it into objects, and refuses what would crash or balloon the SDK: nesting deeper than
/// <see cref="ReaderOptions.MaxDocxXmlDepth"/> (the SDK's parser recurses once per level, and 20,000 nested tables overflow the
/// stack, which no catch survives), and parts or pieces larger than the reader is willing to hold.
/// </summary>
internal static class DocxPartGuard
{
    // Element depth of the body's children: w:document (1) / w:body (2) / w:p, w:tbl, w:sdt… (3).
    private const int BlockDepth = 3;

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        IgnoreWhitespace = true,
        CloseInput = false,
    };

    /// <summary>Checks a part the SDK will load whole (styles, numbering, properties, relationships): depth, and size up to <see cref="ReaderOptions.MaxDocxBlockBytes"/>.</summary>
    public static void CheckWholePart(Stream part, string fileName, string partName, ReaderOptions options)
    {
        using var bounded = new BoundedReadStream(part, Math.Min(options.MaxDocxBlockBytes, options.MaxDocxPartBytes),
            fileName, partName, "Annotate:Readers:MaxDocxBlockBytes");
        Scan(bounded, fileName, partName, options, blockLimit: null, CancellationToken.None);
    }

    /// <summary>
    /// Checks the main document part, whose body is loaded one top-level block at a time: depth, the whole part up to
    /// <see cref="ReaderOptions.MaxDocxPartBytes"/>, and each block up to <see cref="ReaderOptions.MaxDocxBlockBytes"/>.
    /// </summary>
    public static void CheckDocumentPart(Stream part, string fileName, string partName, ReaderOptions options, CancellationToken cancellationToken)
    {
        using var bounded = OpenBounded(part, fileName, partName, options);
        Scan(bounded, fileName, partName, options, blockLimit: options.MaxDocxBlockBytes, cancellationToken);
    }

    /// <summary>The main document part's stream, throwing <c>too-large</c> once it inflates past <see cref="ReaderOptions.MaxDocxPartBytes"/>.</summary>
    public static BoundedReadStream OpenBounded(Stream part, string fileName, string partName, ReaderOptions options) =>
        new(part, options.MaxDocxPartBytes, fileName, partName, "Annotate:Readers:MaxDocxPartBytes");

    private static void Scan(BoundedReadStream stream, string fileName, string partName, ReaderOptions options, long? blockLimit,
        CancellationToken cancellationToken)
    {
        using var xml = XmlReader.Create(stream, Settings);
        var deepest = 0;
        long blockStart = -1;
        long nodes = 0;
        while (xml.Read())
        {
            if (++nodes % 65_536 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            if (xml.NodeType == XmlNodeType.Element)
            {
                var depth = xml.Depth + 1;
                deepest = Math.Max(deepest, depth);
                if (depth == BlockDepth)
                {
                    blockStart = stream.Position;
                }
            }
            if (deepest > options.MaxDocxXmlDepth)
            {
                var measured = MeasureDeepest(xml, ref deepest, cancellationToken);
                throw new AnnotationException(FailureReason.Corrupt,
                    $"'{fileName}' is refused: its part '{partName}' nests elements {(measured ? string.Empty : "at least ")}{Count(deepest)} deep; the limit is {Count(options.MaxDocxXmlDepth)} (Annotate:Readers:MaxDocxXmlDepth). Word documents nest a few levels; this one is damaged or crafted.");
            }
            if (blockLimit is { } limit && blockStart >= 0 && xml.Depth + 1 >= BlockDepth && stream.Position - blockStart > limit)
            {
                throw ZipPackageLimits.TooLarge(fileName,
                    $"a single paragraph or table of its part '{partName}' spans more than {Count(limit)} bytes of XML (Annotate:Readers:MaxDocxBlockBytes)");
            }
        }
    }

    /// <summary>
    /// Reads on (iteratively, within the part's size bound) only to say how deep the nesting goes; false when the rest
    /// could not be read (malformed, or too large), so the depth found is a lower bound and the depth stays the reason.
    /// </summary>
    private static bool MeasureDeepest(XmlReader xml, ref int deepest, CancellationToken cancellationToken)
    {
        try
        {
            for (long nodes = 1; xml.Read(); nodes++)
            {
                if (nodes % 65_536 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
                if (xml.NodeType == XmlNodeType.Element)
                {
                    deepest = Math.Max(deepest, xml.Depth + 1);
                }
            }
            return true;
        }
        catch (Exception ex) when (ex is XmlException or AnnotationException)
        {
            return false;
        }
    }

    private static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);
}
