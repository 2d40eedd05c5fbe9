using Annotate.Annotators.Documents;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace Annotate.Annotators.Readers.Xlsx;

/// <summary>
/// Reads a large workbook without loading it: the OpenXml SDK opens the package and its parts (shared strings
/// through the SAX-style <see cref="OpenXmlReader"/>), sheets are read forward-only by <see cref="StreamingCellReader"/>;
/// one pass per sheet learns its shape, then rows are streamed afresh from the file whenever a table's rows are enumerated.
/// Only the workbook part, styles, shared strings and table definitions are held in memory.
/// </summary>
internal static class StreamingWorkbookLoader
{
    public static Document Load(DocumentSource source, CancellationToken cancellationToken)
    {
        using var stream = source.OpenRead();
        using var package = SpreadsheetDocument.Open(stream, isEditable: false);
        var workbookPart = package.WorkbookPart ?? throw new InvalidDataException("the package has no workbook part");
        var styles = StreamingStyles.Read(workbookPart.WorkbookStylesPart?.Stylesheet);
        var sharedStrings = ReadSharedStrings(workbookPart.SharedStringTablePart);
        var cells = new StreamingCellReader(sharedStrings, styles);

        var blocks = new List<Block>();
        var sheets = new List<SheetInfo>();
        var index = 0;
        foreach (var sheet in workbookPart.Workbook.Sheets?.Elements<Sheet>() ?? [])
        {
            cancellationToken.ThrowIfCancellationRequested();
            var relationshipId = sheet.Id?.Value;
            if (relationshipId is null || workbookPart.GetPartById(relationshipId) is not WorksheetPart worksheetPart)
            {
                continue; // chart sheets and dialog sheets hold no cells
            }
            index++;
            var tables = worksheetPart.TableDefinitionParts.Select(p => Table(p.Table)).OfType<ExcelTableDefinition>()
                .OrderBy(t => t.Range.FirstRow).ThenBy(t => t.Range.FirstColumn).ToList();
            var scan = new SheetScanner(tables);
            var merged = new List<CellRange>();
            foreach (var row in cells.ReadRows(worksheetPart, merged, cancellationToken))
            {
                scan.Add(row);
            }
            var description = new SheetDescription(
                sheet.Name?.Value ?? $"Sheet{index}",
                index,
                sheet.State is { } state && (state.Value == SheetStateValues.Hidden || state.Value == SheetStateValues.VeryHidden),
                merged.OrderBy(r => r.FirstRow).ThenBy(r => r.FirstColumn).Select(r => r.ToString()).ToList(),
                tables);
            sheets.Add(SheetLayout.Lay(description, scan, () => OpenRows(source, relationshipId, cells), streamed: true, blocks));
        }
        var properties = package.PackageProperties;
        return new Document
        {
            FileName = source.FileName,
            Format = SourceFormat.Xlsx,
            Blocks = blocks,
            Sheets = sheets,
            Properties = new DocumentProperties
            {
                Title = NullIfEmpty(properties.Title),
                Author = NullIfEmpty(properties.Creator),
                Subject = NullIfEmpty(properties.Subject),
                Keywords = NullIfEmpty(properties.Keywords),
                Created = properties.Created is { } created ? new DateTimeOffset(DateTime.SpecifyKind(created, DateTimeKind.Utc)) : null,
                Modified = properties.Modified is { } modified ? new DateTimeOffset(DateTime.SpecifyKind(modified, DateTimeKind.Utc)) : null,
            },
        };
    }

    /// <summary>Re-opens the file and streams one sheet's rows; errors surface as <c>corrupt</c>.</summary>
    private static IEnumerable<RawRow> OpenRows(DocumentSource source, string relationshipId, StreamingCellReader cells)
    {
        return WorkbookErrors.Guard(source.FileName, Open());

        IEnumerable<RawRow> Open()
        {
            using var stream = source.OpenRead();
            using var package = SpreadsheetDocument.Open(stream, isEditable: false);
            var part = package.WorkbookPart?.GetPartById(relationshipId) as WorksheetPart
                ?? throw new InvalidDataException($"the worksheet part {relationshipId} is missing");
            foreach (var row in cells.ReadRows(part, merged: null, CancellationToken.None))
            {
                yield return row;
            }
        }
    }

    private static ExcelTableDefinition? Table(Table? table)
    {
        if (table is null || !CellRange.TryParse(table.Reference?.Value, out var range))
        {
            return null;
        }
        var name = table.DisplayName?.Value ?? table.Name?.Value ?? "Table";
        var columns = table.TableColumns?.Elements<TableColumn>().Select(c => c.Name?.Value ?? string.Empty).ToList() ?? [];
        return new ExcelTableDefinition(name, range, (int)(table.HeaderRowCount?.Value ?? 1), (int)(table.TotalsRowCount?.Value ?? 0), columns);
    }

    private static List<string> ReadSharedStrings(SharedStringTablePart? part)
    {
        var strings = new List<string>();
        if (part is null)
        {
            return strings;
        }
        using var reader = OpenXmlReader.Create(part);
        var text = new System.Text.StringBuilder();
        var phonetic = 0;
        while (reader.Read())
        {
            var type = reader.ElementType;
            if (type == typeof(SharedStringItem))
            {
                if (reader.IsStartElement)
                {
                    text.Clear();
                }
                else
                {
                    strings.Add(text.ToString());
                }
            }
            else if (type == typeof(PhoneticRun))
            {
                phonetic += reader.IsStartElement ? 1 : -1;
            }
            else if (type == typeof(DocumentFormat.OpenXml.Spreadsheet.Text) && reader.IsStartElement && phonetic == 0)
            {
                text.Append(reader.GetText());
            }
        }
        return strings;
    }

    private static string? NullIfEmpty(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;
}
