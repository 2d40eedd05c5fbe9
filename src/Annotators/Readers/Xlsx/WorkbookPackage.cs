using System.IO.Compression;
using System.Xml;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>A relationship of a package part, its target resolved to a ZIP entry name.</summary>
internal sealed record PartRelationship(string Id, string Type, string Target)
{
    /// <summary>
    /// True when the relationship type ends with <paramref name="kind"/> (e.g. <c>worksheet</c>), whichever flavour
    /// names it: transitional (<c>http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet</c>)
    /// and ISO/IEC 29500 Strict (<c>http://purl.oclc.org/ooxml/officeDocument/relationships/worksheet</c>) differ only before it.
    /// </summary>
    public bool Is(string kind) => Type.EndsWith("/" + kind, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// An .xlsx package read straight from its ZIP entries and relationship parts, without the OpenXml SDK's package
/// model: that model refuses what Excel and LibreOffice accept (strict relationship types, zero-byte parts) and loads
/// parts whole. Every part is opened through a <see cref="BoundedReadStream"/>, so a part whose declared size lies
/// cannot inflate past <see cref="ReaderOptions.MaxUncompressedBytes"/>, and an <see cref="XmlTokenLimitStream"/>, so no
/// single tag or text can make the XML reader hold gigabytes.
/// </summary>
internal sealed class WorkbookPackage : IDisposable
{
    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
        // Whitespace between elements is never stored; inside xml:space="preserve" it still arrives as significant.
        IgnoreWhitespace = true,
        CloseInput = true,
    };

    private readonly Stream _stream;
    private readonly ZipArchive _zip;
    private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _fileName;
    private readonly long _partLimit;

    public WorkbookPackage(DocumentSource source, ReaderOptions options)
    {
        _fileName = source.FileName;
        _partLimit = options.MaxUncompressedBytes;
        _stream = source.OpenRead();
        try
        {
            _zip = new ZipArchive(_stream, ZipArchiveMode.Read, leaveOpen: false);
        }
        catch
        {
            _stream.Dispose();
            throw;
        }
        foreach (var entry in _zip.Entries)
        {
            // Part names are case-insensitive (OPC); some writers use backslashes.
            _entries.TryAdd(entry.FullName.Replace('\\', '/').TrimStart('/'), entry);
        }
    }

    /// <summary>True when the part exists and has content (producers write zero-byte parts for "none").</summary>
    public bool HasContent(string partName) => _entries.TryGetValue(partName, out var entry) && entry.Length > 0;

    /// <summary>The part's uncompressed length as its archive entry gives it; 0 when the part is missing.</summary>
    public long Length(string partName) => _entries.TryGetValue(partName, out var entry) ? entry.Length : 0;

    /// <summary>Opens a part's XML, or returns null when the part is missing or empty.</summary>
    public XmlReader? OpenXml(string? partName)
    {
        if (partName is null || !HasContent(partName))
        {
            return null;
        }
        var entry = _entries[partName];
        var bounded = new BoundedReadStream(entry.Open(), _partLimit, _fileName, entry.FullName);
        Stream checkedXml = new XmlTokenLimitStream(bounded, XmlTokenLimitStream.MaxTokenBytes, _fileName, entry.FullName);
        // A large part (a sheet of many rows, its shared strings) is inflated and checked on a second core while this
        // one parses it: one part at a time, as the loaders read them, since the archive's entries share one file stream.
        if (ReadAheadStream.Pays(entry.Length))
        {
            checkedXml = new ReadAheadStream(checkedXml);
        }
        return XmlReader.Create(checkedXml, Settings);
    }

    /// <summary>The relationships of <paramref name="partName"/> (<c>""</c> for the package's own), targets resolved; empty when it has none.</summary>
    public IReadOnlyList<PartRelationship> Relationships(string partName)
    {
        var slash = partName.LastIndexOf('/');
        var folder = slash < 0 ? string.Empty : partName[..(slash + 1)];
        var relsName = folder + "_rels/" + partName[(slash + 1)..] + ".rels";
        var relationships = new List<PartRelationship>();
        using var reader = OpenXml(relsName);
        if (reader is null)
        {
            return relationships;
        }
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element || reader.LocalName != "Relationship")
            {
                continue;
            }
            var id = reader.GetAttribute("Id");
            var type = reader.GetAttribute("Type");
            var target = reader.GetAttribute("Target");
            if (id is null || type is null || string.IsNullOrEmpty(target)
                || string.Equals(reader.GetAttribute("TargetMode"), "External", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }
            relationships.Add(new PartRelationship(id, type, Resolve(folder, target)));
        }
        return relationships;
    }

    /// <summary>Resolves a relationship target against the folder of its source part (targets starting with '/' are absolute).</summary>
    internal static string Resolve(string folder, string target)
    {
        target = Uri.UnescapeDataString(target.Replace('\\', '/'));
        var segments = new List<string>();
        foreach (var segment in ((target.StartsWith('/') ? string.Empty : folder) + target).Split('/'))
        {
            if (segment == "..")
            {
                if (segments.Count > 0)
                {
                    segments.RemoveAt(segments.Count - 1);
                }
            }
            else if (segment.Length > 0 && segment != ".")
            {
                segments.Add(segment);
            }
        }
        return string.Join('/', segments);
    }

    public void Dispose()
    {
        _zip.Dispose();
        _stream.Dispose();
    }
}
