using System.Globalization;
using System.Xml;
using Annotate.Annotators.Documents;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Reads a workbook without loading it: the package's parts are found through its relationship parts and read
/// forward-only with <see cref="XmlReader"/> (<see cref="WorkbookPackage"/>); one pass per sheet learns its shape,
/// then rows are streamed afresh from the file whenever a table's rows are enumerated. Only the sheet list, styles,
/// shared strings (compactly, <see cref="SharedStringTable"/>) and table definitions are held in memory.
/// It is also the reader of last resort: it reads what ClosedXML refuses (pictures, pivot tables, odd styles, strict
/// namespaces, sheets listed without a relationship id), so it asks only what it needs of each part.
/// </summary>
internal static class StreamingWorkbookLoader
{
    /// <summary>Notice code: cells whose text was longer than Excel's 32,767-character limit were cut to it.</summary>
    public const string TruncatedNotice = "cell-truncated";

    public static Document Load(DocumentSource source, ReaderOptions options, CancellationToken cancellationToken)
    {
        using var package = new WorkbookPackage(source, options);
        var workbookName = package.Relationships(string.Empty).FirstOrDefault(r => r.Is("officeDocument"))?.Target ?? "xl/workbook.xml";
        if (!package.HasContent(workbookName))
        {
            throw new InvalidDataException("the package has no workbook part");
        }
        var workbookRelationships = package.Relationships(workbookName);
        var styles = StreamingStyles.Read(package.OpenXml(workbookRelationships.FirstOrDefault(r => r.Is("styles"))?.Target));
        var sharedStringsPart = workbookRelationships.FirstOrDefault(r => r.Is("sharedStrings"))?.Target;
        var worksheets = Worksheets(package, workbookName, workbookRelationships);

        // When the first sheet and the shared strings are both large, the sheet's XML is parsed on a second core while
        // this one reads the shared strings (its cells need them only to be typed). It is read through a handle of its
        // own on the file: the entries of one archive share one stream.
        WorkbookPackage? aheadPackage = null;
        StreamingCellReader.ParsedAhead? ahead = null;
        var aheadMerged = new List<CellRange>();
        try
        {
            if (options.SpillStreamedRows && worksheets.Count > 0 && sharedStringsPart is not null && ReadAheadItems.Pays
                && ReadAheadStream.Pays(package.Length(worksheets[0].Part)) && ReadAheadStream.Pays(package.Length(sharedStringsPart)))
            {
                aheadPackage = new WorkbookPackage(source, options);
                ahead = StreamingCellReader.ParseAhead(aheadPackage.OpenXml(worksheets[0].Part) ?? Empty(), aheadMerged, cancellationToken);
            }
            var sharedStrings = SharedStringTable.Read(package.OpenXml(sharedStringsPart));
            var cells = new StreamingCellReader(sharedStrings, styles);

            var blocks = new List<Block>();
            var sheets = new List<SheetInfo>();
            var truncated = new TruncatedCells();
            var index = 0;
            foreach (var (sheet, partName) in worksheets)
            {
                cancellationToken.ThrowIfCancellationRequested();
                index++;
                var tables = package.Relationships(partName).Where(r => r.Is("table")).Select(r => Table(package, r.Target)).OfType<ExcelTableDefinition>()
                    .OrderBy(t => t.Range.FirstRow).ThenBy(t => t.Range.FirstColumn).ToList();
                var scan = new SheetScanner(tables);
                var parsedAhead = index == 1 ? ahead : null;
                var merged = parsedAhead is null ? new List<CellRange>() : aheadMerged;
                var spill = options.SpillStreamedRows ? SheetRowSpill.TryCreate(sharedStrings) : null;
                // A large sheet is parsed on a second core while this one types its cells and writes them to the spill.
                var parseAhead = spill is not null && ReadAheadItems.Pays && ReadAheadStream.Pays(package.Length(partName));
                var parsed = parsedAhead is not null
                    ? cells.ReadRows(parsedAhead, truncated)
                    : cells.ReadRows(package.OpenXml(partName) ?? Empty(), merged, truncated, cancellationToken, parseAhead);
                foreach (var row in parsed)
                {
                    scan.Add(row);
                    spill = SheetRowSpill.TryAdd(spill, row);
                }
                spill?.Seal();
                var description = new SheetDescription(
                    sheet.Name ?? $"Sheet{index}",
                    index,
                    sheet.State is "hidden" or "veryHidden",
                    merged.OrderBy(r => r.FirstRow).ThenBy(r => r.FirstColumn).Select(r => r.ToString()).ToList(),
                    tables);
                // The rows were parsed once, above; later enumerations scan the spill, or re-read the package without one.
                Func<IEnumerable<RawRow>> rows = spill is { } spilled ? spilled.ReadTransient : () => OpenRows(source, options, partName, cells);
                sheets.Add(SheetLayout.Lay(description, scan, rows, streamed: true, blocks, spill));
            }
            return new Document
            {
                FileName = source.FileName,
                Format = SourceFormat.Xlsx,
                Blocks = blocks,
                Sheets = sheets,
                Properties = CoreProperties(package),
                Notices = TruncationNotices(source.FileName, truncated.Count),
            };
        }
        finally
        {
            // Stops and waits for the parse when the rows were never taken (the shared strings failed), then closes its file.
            ahead?.Dispose();
            aheadPackage?.Dispose();
        }
    }

    /// <summary>The <c>cell-truncated</c> notice when <paramref name="count"/> cells were cut; both loaders raise it alike.</summary>
    internal static IReadOnlyList<Notice> TruncationNotices(string fileName, long count) => count == 0
        ? []
        : [new Notice(TruncatedNotice, string.Create(CultureInfo.InvariantCulture,
            $"'{fileName}': the text of {count:N0} cell(s) was cut: a cell keeps at most {BoundedXmlText.MaxCellCharacters:N0} characters, Excel's limit, and a row at most {StreamingCellReader.MaxRowCharacters:N0}."))
        { Source = "xlsx" }];

    private sealed record SheetEntry(string? Name, string? SheetId, string? State, string? RelationshipId);

    /// <summary>
    /// The workbook's worksheets in order with their part names. A sheet listed without a relationship id (or with one
    /// that names no worksheet) takes the next worksheet part no other sheet claims, as Excel and LibreOffice do;
    /// chart and dialog sheets hold no cells and are left out.
    /// </summary>
    private static List<(SheetEntry Sheet, string Part)> Worksheets(WorkbookPackage package, string workbookName, IReadOnlyList<PartRelationship> relationships)
    {
        var entries = new List<SheetEntry>();
        using (var reader = package.OpenXml(workbookName)!)
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "sheet" && SpreadsheetNamespaces.IsMain(reader.NamespaceURI))
                {
                    entries.Add(new SheetEntry(reader.GetAttribute("name"), reader.GetAttribute("sheetId"), reader.GetAttribute("state"), RelationshipId(reader)));
                }
            }
        }
        var byId = relationships.GroupBy(r => r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        var claimed = entries.Select(e => e.RelationshipId is { } id && byId.TryGetValue(id, out var r) ? r.Target : null).OfType<string>()
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unclaimed = new Queue<string>(relationships.Where(r => r.Is("worksheet") && !claimed.Contains(r.Target)).Select(r => r.Target));
        var result = new List<(SheetEntry, string)>();
        // Each part is read once however many entries name it, so a workbook part listing a million sheets that all
        // point at one worksheet costs one sheet, not a million scans.
        var read = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in entries)
        {
            if (entry.RelationshipId is { } id && byId.TryGetValue(id, out var relationship))
            {
                // A missing or zero-byte worksheet part is an empty sheet, as Excel shows it.
                if (relationship.Is("worksheet") && read.Add(relationship.Target))
                {
                    result.Add((entry, relationship.Target));
                }
                continue; // chart sheets and dialog sheets hold no cells
            }
            if (unclaimed.TryDequeue(out var part) && read.Add(part))
            {
                result.Add((entry, part));
            }
        }
        return result;
    }

    private static string? RelationshipId(XmlReader reader)
    {
        if (!reader.MoveToFirstAttribute())
        {
            return null;
        }
        string? id = null;
        do
        {
            if (reader.LocalName == "id" && SpreadsheetNamespaces.IsRelationships(reader.NamespaceURI))
            {
                id = reader.Value;
            }
        }
        while (id is null && reader.MoveToNextAttribute());
        reader.MoveToElement();
        return id;
    }

    /// <summary>Re-opens the file and streams one sheet's rows; errors surface as <c>corrupt</c>.</summary>
    private static IEnumerable<RawRow> OpenRows(DocumentSource source, ReaderOptions options, string partName, StreamingCellReader cells)
    {
        return WorkbookErrors.Guard(source.FileName, Open());

        IEnumerable<RawRow> Open()
        {
            using var package = new WorkbookPackage(source, options);
            foreach (var row in cells.ReadRows(package.OpenXml(partName) ?? Empty(), merged: null, truncated: null, CancellationToken.None))
            {
                yield return row;
            }
        }
    }

    private static XmlReader Empty() => XmlReader.Create(new StringReader("<worksheet/>"));

    private static ExcelTableDefinition? Table(WorkbookPackage package, string partName)
    {
        using var reader = package.OpenXml(partName);
        // Producers prefix the namespace (<x:table>) or not; only the local name tells.
        while (reader is not null && reader.Read() && !(reader.NodeType == XmlNodeType.Element && reader.LocalName == "table"))
        {
        }
        if (reader is null || reader.EOF || !CellRange.TryParse(reader.GetAttribute("ref"), out var range)
            || range.LastColumn > StreamingCellReader.MaxColumn)
        {
            return null;
        }
        var name = reader.GetAttribute("displayName") ?? reader.GetAttribute("name") ?? "Table";
        var headerRows = int.TryParse(reader.GetAttribute("headerRowCount"), NumberStyles.None, CultureInfo.InvariantCulture, out var h) ? h : 1;
        var totalsRows = int.TryParse(reader.GetAttribute("totalsRowCount"), NumberStyles.None, CultureInfo.InvariantCulture, out var t) ? t : 0;
        var columns = new List<string>();
        while (reader.Read() && columns.Count < StreamingCellReader.MaxColumn)
        {
            if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "tableColumn")
            {
                columns.Add(reader.GetAttribute("name") ?? string.Empty);
            }
        }
        return new ExcelTableDefinition(name, range, headerRows, totalsRows, columns);
    }

    /// <summary>Title, author, subject, keywords and dates from <c>docProps/core.xml</c>, when the package has it.</summary>
    private static DocumentProperties CoreProperties(WorkbookPackage package)
    {
        var part = package.Relationships(string.Empty).FirstOrDefault(r => r.Is("core-properties"))?.Target ?? "docProps/core.xml";
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            using var reader = package.OpenXml(part);
            while (reader is not null && !reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.LocalName is "title" or "creator" or "subject" or "keywords" or "created" or "modified")
                {
                    var name = reader.LocalName;
                    var text = new System.Text.StringBuilder();
                    new BoundedXmlText().Append(reader, text); // leaves the reader on the next node
                    values.TryAdd(name, text.ToString());
                    continue;
                }
                reader.Read();
            }
        }
        catch (XmlException)
        {
            // Damaged metadata does not make the cells unreadable; the workbook is read without it.
        }
        return new DocumentProperties
        {
            Title = NullIfEmpty(values.GetValueOrDefault("title")),
            Author = NullIfEmpty(values.GetValueOrDefault("creator")),
            Subject = NullIfEmpty(values.GetValueOrDefault("subject")),
            Keywords = NullIfEmpty(values.GetValueOrDefault("keywords")),
            Created = Date(values.GetValueOrDefault("created")),
            Modified = Date(values.GetValueOrDefault("modified")),
        };
    }

    private static DateTimeOffset? Date(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date) ? date : null;

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
