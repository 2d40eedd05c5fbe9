using System.IO.Compression;
using System.IO.Packaging;
using Annotate.Annotators.Documents;
using DocumentFormat.OpenXml.Packaging;

namespace Annotate.Annotators.Readers.Docx;

/// <summary>What every Office Open XML reader (Word, PowerPoint) does before and around the SDK: checks and core properties.</summary>
internal static class OpenXmlPackages
{
    /// <summary>
    /// Opens the package's bytes for the SDK once they passed the ZIP limits and the packaging parts (content types,
    /// relationships) passed the XML guard: the SDK parses those while it opens the package, before any part is asked for.
    /// </summary>
    public static Stream OpenChecked(DocumentSource source, ReaderOptions options)
    {
        var stream = source.OpenRead();
        try
        {
            ZipPackageLimits.Check(stream, source.FileName, options);
            stream.Position = 0;
            CheckPackagingParts(stream, source.FileName, options);
            stream.Position = 0;
            return stream;
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>What the SDK and the packaging layer throw for a damaged or truncated package (the file is <c>corrupt</c>).</summary>
    public static bool IsDamaged(Exception ex) =>
        ex is OpenXmlPackageException or InvalidDataException or System.Xml.XmlException or FileFormatException or InvalidOperationException;

    /// <summary>
    /// The packaging layer parses the content types and every relationships part while the package opens, before any part
    /// is asked for: check them first. Their names are fixed by the packaging standard, so they are found by name.
    /// </summary>
    public static void CheckPackagingParts(Stream stream, string fileName, ReaderOptions options)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase)
                || entry.FullName.Equals("[Content_Types].xml", StringComparison.OrdinalIgnoreCase))
            {
                DocxPartGuard.CheckWholePart(entry.Open(), fileName, entry.FullName, options);
            }
        }
    }

    /// <summary>Checks a part the SDK loads whole (styles, numbering) before it does; null when the document has none.</summary>
    public static TPart? CheckWhole<TPart>(TPart? part, string fileName, ReaderOptions options) where TPart : OpenXmlPart
    {
        if (part is not null)
        {
            DocxPartGuard.CheckWholePart(part.GetStream(FileMode.Open, FileAccess.Read), fileName, part.Uri.OriginalString, options);
        }
        return part;
    }

    /// <summary>The package's core properties (title, author, subject, keywords, dates), its part checked first.</summary>
    public static DocumentProperties ReadProperties(OpenXmlPackage package, string fileName, ReaderOptions options)
    {
        CheckWhole(package.GetPartsOfType<CoreFilePropertiesPart>().FirstOrDefault(), fileName, options);
        // The SDK marks its package abstraction experimental; the core properties it exposes are stable OPC.
#pragma warning disable OOXML0001
        var properties = package.PackageProperties;
#pragma warning restore OOXML0001
        return new()
        {
            Title = Clean(properties.Title),
            Author = Clean(properties.Creator) ?? Clean(properties.LastModifiedBy),
            Subject = Clean(properties.Subject),
            Keywords = Clean(properties.Keywords),
            Created = AsUtc(properties.Created),
            Modified = AsUtc(properties.Modified),
        };
    }

    public static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // Core properties are W3CDTF dates, UTC by convention.
    public static DateTimeOffset? AsUtc(DateTime? value) =>
        value is { } date
            ? new DateTimeOffset(date.Kind == DateTimeKind.Local ? date.ToUniversalTime() : DateTime.SpecifyKind(date, DateTimeKind.Utc))
            : null;
}
