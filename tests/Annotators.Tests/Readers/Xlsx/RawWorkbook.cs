using System.IO.Compression;
using System.Security;
using System.Text;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

/// <summary>One sheet of a <see cref="RawWorkbook"/>: its name and the XML inside <c>&lt;sheetData&gt;</c>.</summary>
/// <param name="Name">Sheet name as the workbook part lists it.</param>
/// <param name="SheetData">Rows, written as they are.</param>
/// <param name="WithRelationshipId">False to list the sheet without <c>r:id</c>, as some producers do.</param>
/// <param name="AfterSheetData">XML after <c>&lt;/sheetData&gt;</c> (e.g. <c>&lt;drawing r:id=".."/&gt;</c>).</param>
/// <param name="Relationships">Inner XML of the sheet's <c>_rels</c> part, when it has one.</param>
public sealed record RawSheet(string Name, string SheetData, bool WithRelationshipId = true, string AfterSheetData = "", string? Relationships = null);

/// <summary>
/// Writes an .xlsx package entry by entry from raw XML, so tests can build what real producers write and ClosedXML
/// or the OpenXml SDK would refuse or never write: strict namespaces, missing parts, sheets without relationship ids.
/// </summary>
public sealed record RawWorkbook
{
    public const string MainNamespace = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    public const string StrictMainNamespace = "http://purl.oclc.org/ooxml/spreadsheetml/main";
    private const string RelationshipsNamespace = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string StrictRelationshipsNamespace = "http://purl.oclc.org/ooxml/officeDocument/relationships";

    /// <summary>A stylesheet as Excel writes it: style 1 is a date (numFmt 14), style 2 is bold.</summary>
    public const string DefaultStyles =
        "<numFmts count=\"0\"/>"
        + "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/></font><font><b/><sz val=\"11\"/><name val=\"Calibri\"/></font></fonts>"
        + "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill></fills>"
        + "<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"
        + "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        + "<cellXfs count=\"3\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        + "<xf numFmtId=\"14\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        + "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\"/></cellXfs>"
        + "<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>";

    public required IReadOnlyList<RawSheet> Sheets { get; init; }

    /// <summary>Inner XML of <c>styleSheet</c>; null writes no styles part, empty writes a zero-byte part.</summary>
    public string? Styles { get; init; } = DefaultStyles;

    /// <summary>The shared strings (plain text, escaped here); null writes no shared strings part.</summary>
    public IReadOnlyList<string>? SharedStrings { get; init; }

    /// <summary>Raw inner XML of <c>sst</c>, used instead of <see cref="SharedStrings"/> when set; empty writes a zero-byte part.</summary>
    public string? SharedStringsXml { get; init; }

    /// <summary>ISO/IEC 29500 Strict namespaces instead of the transitional ones.</summary>
    public bool Strict { get; init; }

    /// <summary>XML after <c>&lt;/sheets&gt;</c> in the workbook part (e.g. pivot caches).</summary>
    public string WorkbookExtra { get; init; } = "";

    /// <summary>Extra relationships of the workbook part.</summary>
    public string WorkbookRelationships { get; init; } = "";

    /// <summary>Extra entries (path → content), e.g. drawings and media.</summary>
    public IReadOnlyDictionary<string, byte[]> Extra { get; init; } = new Dictionary<string, byte[]>();

    /// <summary>Extra <c>[Content_Types].xml</c> entries.</summary>
    public string ContentTypes { get; init; } = "";

    public string Main => Strict ? StrictMainNamespace : MainNamespace;

    public string Relationships => Strict ? StrictRelationshipsNamespace : RelationshipsNamespace;

    /// <summary>A relationship type URI, e.g. <c>worksheet</c>, in the workbook's flavour.</summary>
    public string RelationshipType(string kind) =>
        (Strict ? "http://purl.oclc.org/ooxml/officeDocument/relationships/" : "http://schemas.openxmlformats.org/officeDocument/2006/relationships/") + kind;

    /// <summary>Writes the package to <paramref name="path"/>.</summary>
    public void Save(string path)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        var types = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>"
            + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
            + "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
            + "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
            + "<Default Extension=\"png\" ContentType=\"image/png\"/>"
            + "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>");
        var workbookRels = new StringBuilder();
        var sheets = new StringBuilder();
        for (var i = 0; i < Sheets.Count; i++)
        {
            var n = i + 1;
            var sheet = Sheets[i];
            types.Append($"<Override PartName=\"/xl/worksheets/sheet{n}.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>");
            workbookRels.Append($"<Relationship Id=\"rId{n}\" Type=\"{RelationshipType("worksheet")}\" Target=\"worksheets/sheet{n}.xml\"/>");
            sheets.Append($"<sheet name=\"{SecurityElement.Escape(sheet.Name)}\" sheetId=\"{n}\"").Append(sheet.WithRelationshipId ? $" r:id=\"rId{n}\"" : "").Append("/>");
            Write(zip, $"xl/worksheets/sheet{n}.xml",
                $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><worksheet xmlns=\"{Main}\" xmlns:r=\"{Relationships}\"><sheetData>{sheet.SheetData}</sheetData>{sheet.AfterSheetData}</worksheet>");
            if (sheet.Relationships is not null)
            {
                Write(zip, $"xl/worksheets/_rels/sheet{n}.xml.rels", Rels(sheet.Relationships));
            }
        }
        if (Styles is not null)
        {
            types.Append("<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>");
            workbookRels.Append($"<Relationship Id=\"rIdStyles\" Type=\"{RelationshipType("styles")}\" Target=\"styles.xml\"/>");
            Write(zip, "xl/styles.xml", Styles.Length == 0 ? "" : $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><styleSheet xmlns=\"{Main}\">{Styles}</styleSheet>");
        }
        var shared = SharedStringsXml ?? (SharedStrings is null ? null : string.Concat(SharedStrings.Select(s => $"<si><t xml:space=\"preserve\">{SecurityElement.Escape(s)}</t></si>")));
        if (shared is not null)
        {
            types.Append("<Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>");
            workbookRels.Append($"<Relationship Id=\"rIdStrings\" Type=\"{RelationshipType("sharedStrings")}\" Target=\"sharedStrings.xml\"/>");
            Write(zip, "xl/sharedStrings.xml", shared.Length == 0 ? "" : $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><sst xmlns=\"{Main}\">{shared}</sst>");
        }
        types.Append(ContentTypes).Append("</Types>");
        Write(zip, "[Content_Types].xml", types.ToString());
        Write(zip, "_rels/.rels", Rels($"<Relationship Id=\"rId1\" Type=\"{RelationshipType("officeDocument")}\" Target=\"xl/workbook.xml\"/>"));
        Write(zip, "xl/_rels/workbook.xml.rels", Rels(workbookRels + WorkbookRelationships));
        Write(zip, "xl/workbook.xml",
            $"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><workbook xmlns=\"{Main}\" xmlns:r=\"{Relationships}\"><sheets>{sheets}</sheets>{WorkbookExtra}</workbook>");
        foreach (var (name, bytes) in Extra)
        {
            using var entry = zip.CreateEntry(name).Open();
            entry.Write(bytes);
        }
    }

    /// <summary>A relationships part around <paramref name="relationships"/>.</summary>
    public static string Rels(string relationships) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" + relationships + "</Relationships>";

    private static void Write(ZipArchive zip, string name, string content)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(content);
    }
}
