using System.Globalization;
using System.IO.Compression;
using System.Xml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Annotate.Annotators.Writers.Xlsx;

/// <summary>Where the row-annotation columns go in a large workbook, found without loading its sheets.</summary>
/// <param name="Sheets">The tables to write, by zip entry name of their worksheet part.</param>
/// <param name="Notes">A line per table for the Annotations sheet.</param>
internal sealed record RowColumnsPlan(IReadOnlyDictionary<string, IReadOnlyList<RowColumns>> Sheets, IReadOnlyList<string> Notes)
{
    public static readonly RowColumnsPlan Empty = new(new Dictionary<string, IReadOnlyList<RowColumns>>(), []);
}

/// <summary>
/// Adds the row-annotation columns to the worksheets of a large workbook by streaming their XML: one pass to find what
/// the sheet already uses, one to copy it with the new cells (inline strings) appended to their rows and the
/// <c>dimension</c> widened. The sheet is never held in memory, neither as a DOM nor as bytes.
/// </summary>
internal static class StreamingRowColumns
{
    private static readonly XmlReaderSettings ReaderSettings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreWhitespace = false,
        CheckCharacters = false,
        CloseInput = false,
    };

    private static readonly XmlWriterSettings WriterSettings = new()
    {
        Encoding = new System.Text.UTF8Encoding(false),
        Indent = false,
        NewLineHandling = NewLineHandling.None,
        CheckCharacters = false,
        CloseOutput = false,
    };

    private const string XmlNamespace = "http://www.w3.org/XML/1998/namespace";

    /// <summary>Finds each annotated sheet's part and places its tables' columns.</summary>
    public static RowColumnsPlan Plan(string workbookPath, IReadOnlyList<RowColumns> columns, CancellationToken cancellationToken)
    {
        if (columns.Count == 0)
        {
            return RowColumnsPlan.Empty;
        }
        var notes = new List<string>();
        var sheets = new Dictionary<string, IReadOnlyList<RowColumns>>(StringComparer.Ordinal);
        var parts = new Dictionary<string, (string Entry, List<(long, long, int, int)> Tables)>(StringComparer.Ordinal);
        using (var package = SpreadsheetDocument.Open(workbookPath, isEditable: false))
        {
            var workbookPart = package.WorkbookPart;
            foreach (var sheet in workbookPart?.Workbook.Sheets?.Elements<Sheet>() ?? [])
            {
                if (sheet.Name?.Value is { } name && sheet.Id?.Value is { } id && workbookPart!.GetPartById(id) is WorksheetPart part)
                {
                    // Excel tables live in parts of their own; their ranges count as used.
                    var tables = part.TableDefinitionParts
                        .Select(t => t.Table?.Reference?.Value)
                        .OfType<string>()
                        .Select(Bounds)
                        .ToList();
                    parts[name] = (part.Uri.OriginalString.TrimStart('/'), tables);
                }
            }
        }
        using var archive = ZipFile.OpenRead(workbookPath);
        foreach (var onSheet in columns.GroupBy(c => c.Annotations.Sheet ?? string.Empty))
        {
            if (!parts.TryGetValue(onSheet.Key, out var part) || Entry(archive, part.Entry) is not { } entry)
            {
                notes.Add($"Row fields of sheet '{onSheet.Key}' could not be added: the workbook has no such sheet.");
                continue;
            }
            var list = onSheet.ToList();
            bool[] occupied;
            int lastUsed;
            using (var stream = entry.Open())
            {
                (occupied, lastUsed) = Scan(stream, list, part.Tables, cancellationToken);
            }
            var index = list.Select((table, i) => (table, i)).ToDictionary(p => p.table, p => p.i);
            RowColumns.Place(list, onSheet.Key, c => occupied[index[c]], lastUsed);
            notes.AddRange(list.Select(c => c.Describe(onSheet.Key)));
            var placed = list.Where(c => c.Placed).ToList();
            if (placed.Count > 0)
            {
                sheets[entry.FullName] = placed;
            }
        }
        return new RowColumnsPlan(sheets, notes);
    }

    /// <summary>Rewrites the planned worksheets of the package at <paramref name="path"/>, copying every other entry as it is.</summary>
    public static void Apply(string path, RowColumnsPlan plan, uint boldStyle, CancellationToken cancellationToken) =>
        Apply(path, plan, boldStyle, LeftOutParts.None, cancellationToken);

    /// <summary>
    /// Writes the row columns into the package at <paramref name="path"/>, and puts back the parts
    /// <paramref name="leftOut"/> names from its original, so that a large part is written once, streaming.
    /// </summary>
    public static void Apply(string path, RowColumnsPlan plan, uint boldStyle, LeftOutParts leftOut, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, Action<Stream>>? written = null)
    {
        written ??= new Dictionary<string, Action<Stream>>();
        if (plan.Sheets.Count == 0 && leftOut.Names.Count == 0 && written.Count == 0)
        {
            return;
        }
        var temporary = path + ".rows.tmp";
        var parts = path + ".parts.tmp";
        Func<string, Action<Stream, Stream>?> rewriteOf = name => written.TryGetValue(name, out var write)
            ? (_, to) => write(to)
            : plan.Sheets.TryGetValue(name, out var tables)
            ? (from, to) => Rewrite(from, to, tables, boldStyle, cancellationToken)
            : null;
        try
        {
            if (!TryApplyCopyingRaw(path, parts, temporary, leftOut, rewriteOf, cancellationToken))
            {
                using var source = ZipFile.OpenRead(path);
                using var original = leftOut.Names.Count == 0 ? null : ZipFile.OpenRead(leftOut.Original);
                using var output = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
                using var target = new ZipArchive(output, ZipArchiveMode.Create);
                CopyPackage(source, target, rewriteOf, cancellationToken,
                    entry => original is not null && leftOut.Names.Contains(entry.FullName) ? original.GetEntry(entry.FullName) ?? entry : entry);
            }
            File.Move(temporary, path, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
            File.Delete(parts);
        }
    }

    /// <summary>
    /// Puts the large parts that come back unchanged into the package as their original compressed bytes: the other
    /// entries are written to <paramref name="parts"/> first (through the rewrites), then both are copied raw, in the
    /// edited package's order, into <paramref name="temporary"/>. False, with nothing decided, when there is nothing to
    /// copy raw or either ZIP file is one <see cref="RawZipDirectory"/> does not take.
    /// </summary>
    private static bool TryApplyCopyingRaw(string path, string parts, string temporary, LeftOutParts leftOut,
        Func<string, Action<Stream, Stream>?> rewriteOf, CancellationToken cancellationToken)
    {
        var unchanged = leftOut.Names.Where(name => rewriteOf(name) is null).ToHashSet(StringComparer.Ordinal);
        if (unchanged.Count == 0)
        {
            return false;
        }
        using var originalFile = new FileStream(leftOut.Original, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var originalEntries = RawZipDirectory.TryRead(originalFile)?.ToDictionary(e => e.Name, StringComparer.Ordinal);
        if (originalEntries is null || unchanged.Any(name => !originalEntries.TryGetValue(name, out var entry) || !entry.Copyable))
        {
            return false;
        }
        List<string> order;
        using (var source = ZipFile.OpenRead(path))
        using (var original = ZipFile.OpenRead(leftOut.Original))
        using (var output = new FileStream(parts, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        using (var target = new ZipArchive(output, ZipArchiveMode.Create))
        {
            order = source.Entries.Select(e => e.FullName).ToList();
            // A large part that is rewritten (row columns added) is read from the original, as on the other path.
            CopyPackage(source, target, rewriteOf, cancellationToken,
                entry => leftOut.Names.Contains(entry.FullName) ? original.GetEntry(entry.FullName) ?? entry : entry,
                include: name => !unchanged.Contains(name));
        }
        using var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024);
        return TryCombineRaw(file, order, originalFile, originalEntries, unchanged, parts, cancellationToken);
    }

    /// <summary>
    /// Copies a package to <paramref name="output"/> with the entries <paramref name="rewriteOf"/> names rewritten and
    /// every other entry copied as its compressed bytes. False, with nothing written, when the package is one
    /// <see cref="RawZipDirectory"/> does not take (the caller copies through the zip library then).
    /// </summary>
    internal static bool TryCopyRaw(string path, Stream output, Func<string, Action<Stream, Stream>?> rewriteOf, CancellationToken cancellationToken)
    {
        using var sourceFile = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var entries = RawZipDirectory.TryRead(sourceFile);
        if (entries is null || entries.Any(e => rewriteOf(e.Name) is null && !e.Copyable))
        {
            return false;
        }
        var unchanged = entries.Where(e => rewriteOf(e.Name) is null).Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var parts = Path.Combine(Path.GetTempPath(), "annotate-parts-" + Guid.NewGuid().ToString("N") + ".zip");
        try
        {
            using (var source = ZipFile.OpenRead(path))
            using (var partsOutput = new FileStream(parts, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024))
            using (var target = new ZipArchive(partsOutput, ZipArchiveMode.Create))
            {
                CopyPackage(source, target, rewriteOf, cancellationToken, include: name => !unchanged.Contains(name));
            }
            return TryCombineRaw(output, entries.Select(e => e.Name).ToList(), sourceFile, entries.ToDictionary(e => e.Name, StringComparer.Ordinal),
                unchanged, parts, cancellationToken);
        }
        finally
        {
            File.Delete(parts);
        }
    }

    /// <summary>
    /// Writes the entries <paramref name="order"/> names to <paramref name="output"/>, each as its compressed bytes: those in
    /// <paramref name="fromSource"/> from <paramref name="source"/>, the others from the ZIP file at <paramref name="parts"/>.
    /// False, with nothing written, when the parts' file is one <see cref="RawZipDirectory"/> does not take, lacks an
    /// entry, or the whole would need ZIP64.
    /// </summary>
    private static bool TryCombineRaw(Stream output, IReadOnlyList<string> order, Stream source, Dictionary<string, RawZipEntry> sourceEntries,
        IReadOnlySet<string> fromSource, string parts, CancellationToken cancellationToken)
    {
        using var partsFile = new FileStream(parts, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var partEntries = RawZipDirectory.TryRead(partsFile)?.ToDictionary(e => e.Name, StringComparer.Ordinal);
        if (partEntries is null)
        {
            return false;
        }
        var plan = new List<(Stream From, RawZipEntry Entry)>(order.Count);
        foreach (var name in order)
        {
            if (fromSource.Contains(name))
            {
                plan.Add((source, sourceEntries[name]));
            }
            else if (partEntries.TryGetValue(name, out var entry) && entry.Copyable)
            {
                plan.Add((partsFile, entry));
            }
            else
            {
                return false;
            }
        }
        if (!RawZipWriter.Fits(plan.Select(p => p.Entry).ToList()))
        {
            return false;
        }
        var writer = new RawZipWriter(output);
        foreach (var (from, entry) in plan)
        {
            writer.Copy(from, entry, cancellationToken);
        }
        writer.Finish();
        return true;
    }

    /// <summary>Large parts an edited copy holds as empty entries: their names, and the package that holds them.</summary>
    internal sealed record LeftOutParts(string Original, IReadOnlySet<string> Names)
    {
        public static readonly LeftOutParts None = new(string.Empty, new HashSet<string>());
    }

    /// <summary>Worksheet and shared-string parts at least this large (uncompressed) are left out of the edited copy.</summary>
    internal const long LargePartBytes = 256 * 1024;

    /// <summary>
    /// Copies a package to <paramref name="target"/> with its large worksheet and shared-string parts as empty entries.
    /// The Open XML SDK edits a package in ZIP update mode, which holds in memory every entry that follows the first
    /// changed one ([Content_Types].xml comes first): at 1,000,000 rows, the worksheet's 60 MB of compressed bytes.
    /// The SDK never reads those parts (it adds a sheet, styles and relationships); <c>Apply</c>
    /// puts them back from the original.
    /// </summary>
    public static LeftOutParts CopyWithoutLargeParts(string original, string target, CancellationToken cancellationToken)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (var source = ZipFile.OpenRead(original))
        using (var output = new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, 64 * 1024))
        using (var copy = new ZipArchive(output, ZipArchiveMode.Create))
        {
            foreach (var entry in source.Entries)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var large = entry.Length >= LargePartBytes
                    && (IsWorksheet(entry.FullName) || entry.FullName.EndsWith("sharedStrings.xml", StringComparison.OrdinalIgnoreCase));
                var to = copy.CreateEntry(entry.FullName, CompressionLevel.Optimal);
                to.LastWriteTime = entry.LastWriteTime;
                using var written = to.Open();
                if (large)
                {
                    names.Add(entry.FullName);
                    continue;
                }
                using var read = entry.Open();
                read.CopyTo(written);
            }
        }
        return new LeftOutParts(original, names);
    }

    private static bool IsWorksheet(string name) =>
        name.Contains("/worksheets/", StringComparison.OrdinalIgnoreCase) && name.EndsWith(".xml", StringComparison.OrdinalIgnoreCase);

    /// <summary>Copies every entry of a package, through the rewrite <paramref name="rewriteOf"/> gives its name, or as it is when none.</summary>
    internal static void CopyPackage(ZipArchive source, ZipArchive target, Func<string, Action<Stream, Stream>?> rewriteOf, CancellationToken cancellationToken,
        Func<ZipArchiveEntry, ZipArchiveEntry>? contentOf = null, Func<string, bool>? include = null)
    {
        foreach (var entry in source.Entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (include?.Invoke(entry.FullName) == false)
            {
                continue;
            }
            var content = contentOf?.Invoke(entry) ?? entry;
            var rewrite = rewriteOf(entry.FullName);
            // A large part put back unchanged is compressed for speed: its bytes were a plain file copy before. So is a
            // part written here (the Annotations sheet, a worksheet given row columns): at 100,000 findings the
            // Annotations sheet's deflating at the optimal level was most of the writer's time, the longest of the write stage.
            var copy = target.CreateEntry(entry.FullName, rewrite is not null || !ReferenceEquals(content, entry) ? CompressionLevel.Fastest : CompressionLevel.Optimal);
            copy.LastWriteTime = entry.LastWriteTime;
            using var from = content.Open();
            using var to = copy.Open();
            if (rewrite is not null)
            {
                rewrite(from, to);
            }
            else
            {
                from.CopyTo(to);
            }
        }
    }

    /// <summary>
    /// Whether anything occupies each table's adjacent columns over its rows (any <c>c</c> element, even an empty
    /// styled one, since a second cell of the same reference would make the sheet invalid; a merged range; an Excel
    /// table), and the sheet's last used column.
    /// </summary>
    internal static (bool[] Occupied, int LastUsed) Scan(Stream sheetXml, IReadOnlyList<RowColumns> tables, IReadOnlyList<(long Top, long Bottom, int Left, int Right)> areas, CancellationToken cancellationToken)
    {
        var occupied = new bool[tables.Count];
        var lastUsed = 0;
        void Mark(long top, long bottom, int left, int right)
        {
            lastUsed = Math.Max(lastUsed, right);
            for (var i = 0; i < tables.Count; i++)
            {
                occupied[i] |= tables[i].CandidateIntersects(top, bottom, left, right);
            }
        }
        foreach (var area in areas)
        {
            Mark(area.Top, area.Bottom, area.Left, area.Right);
        }
        using var reader = XmlReader.Create(sheetXml, ReaderSettings);
        long row = 0;
        var column = 0;
        long rowsSeen = 0;
        while (reader.Read())
        {
            if (reader.NodeType != XmlNodeType.Element)
            {
                continue;
            }
            switch (reader.LocalName)
            {
                case "row":
                    row = ParseLong(reader.GetAttribute("r")) ?? row + 1;
                    column = 0;
                    if (++rowsSeen % 10_000 == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                    }
                    break;
                case "c":
                    var reference = reader.GetAttribute("r");
                    column = reference is null ? column + 1 : CellColumn(reference);
                    if (reference is not null && CellRow(reference) is { } cellRow)
                    {
                        row = cellRow;
                    }
                    Mark(row, row, column, column);
                    break;
                case "mergeCell" when reader.GetAttribute("ref") is { } merged:
                    var bounds = Bounds(merged);
                    Mark(bounds.Top, bounds.Bottom, bounds.Left, bounds.Right);
                    break;
            }
        }
        return (occupied, lastUsed);
    }

    /// <summary>Copies a worksheet's XML, adding the tables' cells to their rows (new rows where the sheet has none) and widening the dimension.</summary>
    internal static void Rewrite(Stream input, Stream output, IReadOnlyList<RowColumns> tables, uint boldStyle, CancellationToken cancellationToken) =>
        Rewrite(input, output, tables.SelectMany(t => t.Cells()), tables, boldStyle, replace: false, cancellationToken);

    /// <summary>
    /// Copies a worksheet's XML with <paramref name="cells"/> written over the cells of the same reference (added where
    /// the sheet has none); the dimension is left as it is, so the cells must lie inside it.
    /// </summary>
    internal static void Replace(Stream input, Stream output, IEnumerable<RowColumnCell> cells, CancellationToken cancellationToken) =>
        Rewrite(input, output, cells, [], 0, replace: true, cancellationToken);

    private static void Rewrite(Stream input, Stream output, IEnumerable<RowColumnCell> newCells, IReadOnlyList<RowColumns> tables, uint boldStyle, bool replace, CancellationToken cancellationToken)
    {
        var pending = new SortedDictionary<long, List<RowColumnCell>>();
        foreach (var cell in newCells)
        {
            if (!pending.TryGetValue(cell.Row, out var cells))
            {
                pending[cell.Row] = cells = [];
            }
            cells.Add(cell);
        }
        foreach (var cells in pending.Values)
        {
            cells.Sort((a, b) => a.Column.CompareTo(b.Column));
        }
        var rewriter = new SheetRewriter(pending, tables, boldStyle, replace, cancellationToken);
        using var reader = XmlReader.Create(input, ReaderSettings);
        using var writer = XmlWriter.Create(output, WriterSettings);
        rewriter.Run(reader, writer);
    }

    private sealed class SheetRewriter(SortedDictionary<long, List<RowColumnCell>> pending, IReadOnlyList<RowColumns> tables, uint boldStyle, bool replace, CancellationToken cancellationToken)
    {
        private string _namespace = string.Empty;
        private long _lastRow;
        private long _rowsCopied;

        public void Run(XmlReader reader, XmlWriter writer)
        {
            var inSheetData = false;
            reader.Read();
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth == 0)
                {
                    _namespace = reader.NamespaceURI;
                }
                if (reader.NodeType == XmlNodeType.Element && reader.NamespaceURI == _namespace)
                {
                    if (reader.LocalName == "dimension" && reader.Depth == 1 && tables.Count > 0)
                    {
                        WriteDimension(reader, writer);
                        continue;
                    }
                    if (reader.LocalName == "sheetData" && reader.Depth == 1)
                    {
                        var prefix = reader.Prefix;
                        var empty = reader.IsEmptyElement;
                        writer.WriteStartElement(prefix, "sheetData", _namespace);
                        writer.WriteAttributes(reader, true);
                        reader.Read();
                        if (empty)
                        {
                            WriteRowsBefore(long.MaxValue, writer, prefix);
                            writer.WriteEndElement();
                        }
                        else
                        {
                            inSheetData = true;
                        }
                        continue;
                    }
                    if (inSheetData && reader.LocalName == "row" && reader.Depth == 2)
                    {
                        CopyRow(reader, writer);
                        continue;
                    }
                }
                if (inSheetData && reader.NodeType == XmlNodeType.EndElement && reader.Depth == 1)
                {
                    WriteRowsBefore(long.MaxValue, writer, reader.Prefix);
                    writer.WriteFullEndElement();
                    inSheetData = false;
                    reader.Read();
                    continue;
                }
                if (reader.NodeType is XmlNodeType.Element or XmlNodeType.EndElement or XmlNodeType.XmlDeclaration)
                {
                    CopyShallow(reader, writer);
                    reader.Read();
                }
                else
                {
                    // Text, white space, comments: copied as they are; WriteNode moves on by itself.
                    writer.WriteNode(reader, true);
                }
            }
        }

        private void CopyRow(XmlReader reader, XmlWriter writer)
        {
            if (++_rowsCopied % 10_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }
            var prefix = reader.Prefix;
            var number = ParseLong(reader.GetAttribute("r")) ?? _lastRow + 1;
            WriteRowsBefore(number, writer, prefix);
            _lastRow = number;
            if (!pending.Remove(number, out var cells))
            {
                writer.WriteNode(reader, true);
                return;
            }
            writer.WriteStartElement(prefix, "row", _namespace);
            if (reader.MoveToFirstAttribute())
            {
                do
                {
                    // "spans" is an optional hint of the row's columns; with new cells it would be wrong.
                    if (reader.LocalName != "spans" || reader.NamespaceURI.Length > 0)
                    {
                        writer.WriteAttributeString(reader.Prefix, reader.LocalName, reader.NamespaceURI, reader.Value);
                    }
                }
                while (reader.MoveToNextAttribute());
                reader.MoveToElement();
            }
            var next = 0;
            if (reader.IsEmptyElement)
            {
                reader.Read();
            }
            else
            {
                var depth = reader.Depth;
                reader.Read();
                var column = 0;
                while (!(reader.NodeType == XmlNodeType.EndElement && reader.Depth == depth))
                {
                    if (reader.NodeType == XmlNodeType.Element && reader.LocalName == "c")
                    {
                        var reference = reader.GetAttribute("r");
                        column = reference is null ? column + 1 : CellColumn(reference);
                        // Cells stay in column order; a cell the sheet already has wins over a new one, unless replacing.
                        var replaced = false;
                        while (next < cells.Count && cells[next].Column <= column)
                        {
                            if (cells[next].Column < column || replace)
                            {
                                WriteCell(writer, prefix, cells[next]);
                                replaced |= cells[next].Column == column;
                            }
                            next++;
                        }
                        if (replaced)
                        {
                            reader.Skip();
                            continue;
                        }
                    }
                    else if (reader.NodeType == XmlNodeType.Element)
                    {
                        // extLst and the like follow the cells.
                        WriteCells(writer, prefix, cells, ref next);
                    }
                    writer.WriteNode(reader, true);
                }
                reader.Read();
            }
            WriteCells(writer, prefix, cells, ref next);
            writer.WriteEndElement();
        }

        private void WriteRowsBefore(long number, XmlWriter writer, string prefix)
        {
            while (pending.Count > 0)
            {
                var (row, cells) = pending.First();
                if (row >= number)
                {
                    return;
                }
                pending.Remove(row);
                writer.WriteStartElement(prefix, "row", _namespace);
                writer.WriteAttributeString("r", row.ToString(CultureInfo.InvariantCulture));
                var next = 0;
                WriteCells(writer, prefix, cells, ref next);
                writer.WriteEndElement();
            }
        }

        private void WriteCells(XmlWriter writer, string prefix, List<RowColumnCell> cells, ref int next)
        {
            for (; next < cells.Count; next++)
            {
                WriteCell(writer, prefix, cells[next]);
            }
        }

        private void WriteCell(XmlWriter writer, string prefix, RowColumnCell cell)
        {
            writer.WriteStartElement(prefix, "c", _namespace);
            writer.WriteAttributeString("r", Documents.CellReferences.Reference(cell.Column, cell.Row));
            if (cell.Header && boldStyle != 0)
            {
                writer.WriteAttributeString("s", boldStyle.ToString(CultureInfo.InvariantCulture));
            }
            writer.WriteAttributeString("t", "inlineStr");
            writer.WriteStartElement(prefix, "is", _namespace);
            writer.WriteStartElement(prefix, "t", _namespace);
            writer.WriteAttributeString("xml", "space", XmlNamespace, "preserve");
            writer.WriteString(cell.Text);
            writer.WriteEndElement();
            writer.WriteEndElement();
            writer.WriteEndElement();
        }

        private void WriteDimension(XmlReader reader, XmlWriter writer)
        {
            writer.WriteStartElement(reader.Prefix, "dimension", _namespace);
            var reference = reader.GetAttribute("ref");
            var (top, bottom, left, right) = reference is null ? (long.MaxValue, 0L, int.MaxValue, 0) : Bounds(reference);
            foreach (var table in tables.Where(t => t.Placed))
            {
                top = Math.Min(top, table.Top);
                bottom = Math.Max(bottom, table.Bottom);
                left = Math.Min(left, table.FirstColumn);
                right = Math.Max(right, table.LastColumn);
            }
            if (reader.MoveToFirstAttribute())
            {
                do
                {
                    if (reader.LocalName != "ref" || reader.NamespaceURI.Length > 0)
                    {
                        writer.WriteAttributeString(reader.Prefix, reader.LocalName, reader.NamespaceURI, reader.Value);
                    }
                }
                while (reader.MoveToNextAttribute());
                reader.MoveToElement();
            }
            writer.WriteAttributeString("ref", Documents.CellReferences.Reference(left, top) + ":" + Documents.CellReferences.Reference(right, bottom));
            writer.WriteEndElement();
            reader.Skip();
        }
    }

    private static void CopyShallow(XmlReader reader, XmlWriter writer)
    {
        switch (reader.NodeType)
        {
            case XmlNodeType.Element:
                writer.WriteStartElement(reader.Prefix, reader.LocalName, reader.NamespaceURI);
                writer.WriteAttributes(reader, true);
                if (reader.IsEmptyElement)
                {
                    writer.WriteEndElement();
                }
                break;
            case XmlNodeType.EndElement:
                writer.WriteFullEndElement();
                break;
            default:
                writer.WriteStartDocument(string.Equals(reader.GetAttribute("standalone"), "yes", StringComparison.Ordinal));
                break;
        }
    }

    private static ZipArchiveEntry? Entry(ZipArchive archive, string name) =>
        archive.GetEntry(name) ?? archive.GetEntry(Uri.UnescapeDataString(name));


    private static int CellColumn(string reference) => Documents.CellReferences.ColumnNumber(reference);

    private static long? CellRow(string reference)
    {
        var digits = reference.AsSpan().TrimStart("$ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    private static long? ParseLong(string? text) =>
        long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>Rows and columns of an A1 range such as <c>B2:D9</c> or a single cell.</summary>
    private static (long Top, long Bottom, int Left, int Right) Bounds(string range)
    {
        var parts = range.Split(':');
        var first = parts[0].Replace("$", string.Empty, StringComparison.Ordinal);
        var last = (parts.Length > 1 ? parts[1] : parts[0]).Replace("$", string.Empty, StringComparison.Ordinal);
        return (CellRow(first) ?? 1, CellRow(last) ?? 1, Math.Max(1, CellColumn(first)), Math.Max(1, CellColumn(last)));
    }
}
