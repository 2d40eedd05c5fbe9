using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Writers.Xlsx;
using ClosedXML.Excel;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Writers;

/// <summary>
/// Writes <c>annotated.xlsx</c>: the original sheets plus an <c>Annotations</c> sheet with the column profiles,
/// findings and row annotations. The model's row fields (<see cref="Annotations.AnnotationSet.Rows"/>) become new
/// columns beside each annotated table, with the field names in bold in its header row; the original cells are left
/// as they were. A CSV source becomes a workbook with a typed <c>Data</c> sheet first. Workbooks the reader streamed
/// (every one unless <see cref="ReaderOptions.StreamingWorkbookBytes"/> is set) are copied as a package, get the new
/// sheet written by a streaming writer and the annotated worksheets rewritten by streaming their XML, so their data is
/// never loaded; those ClosedXML read whole go through ClosedXML.
/// </summary>
public sealed class AnnotatedWorkbookWriter(IOptions<ReaderOptions> options, ILogger<AnnotatedWorkbookWriter> logger) : IOutputWriter
{
    /// <summary>Name of the file written.</summary>
    public const string FileName = "annotated.xlsx";

    /// <summary>Preferred name of the added sheet.</summary>
    public const string SheetName = "Annotations";

    /// <summary>Name of the sheet holding a CSV source's values.</summary>
    public const string DataSheetName = "Data";

    private const string MediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    /// <inheritdoc />
    public string Kind => "xlsx";

    /// <inheritdoc />
    public bool RunsAlongside => true;

    /// <inheritdoc />
    public bool AppliesTo(Document document) => document.Format is SourceFormat.Xlsx or SourceFormat.Csv;

    /// <inheritdoc />
    public Task<IReadOnlyList<WrittenOutput>> WriteAsync(OutputContext context, CancellationToken cancellationToken)
    {
        var target = Path.Combine(context.OutputDirectory, FileName);
        var cleaner = new XmlTextCleaner();
        if (context.Document.Format == SourceFormat.Csv)
        {
            WriteCsvWorkbook(context, target, cleaner, cancellationToken);
        }
        else if (context.Document.Sheets.Any(s => s.Streamed) || context.Source.Length > options.Value.StreamingWorkbookBytes)
        {
            AddSheetToPackageCopy(context, target, cleaner, cancellationToken);
        }
        else
        {
            try
            {
                AddSheetWithClosedXml(context, target, cleaner);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // ClosedXML cannot round-trip every workbook it can read; the package copy always can.
                logger.LogWarning(ex, "ClosedXML could not rewrite {File}; adding the Annotations sheet to a copy of the package instead", context.Document.FileName);
                cleaner = new XmlTextCleaner();
                AddSheetToPackageCopy(context, target, cleaner, cancellationToken);
            }
        }
        if (cleaner.ToNotice(FileName, Kind) is { } notice)
        {
            // Under the list's lock: this writer runs alongside the CSV writer (RunsAlongside).
            lock (context.Annotations.Notices)
            {
                if (!context.Annotations.Notices.Contains(notice))
                {
                    context.Annotations.Notices.Add(notice);
                }
            }
        }
        IReadOnlyList<WrittenOutput> written = [WrittenOutput.For(context.OutputDirectory, FileName, Kind, MediaType)];
        return Task.FromResult(written);
    }

    private static void AddSheetWithClosedXml(OutputContext context, string target, XmlTextCleaner cleaner)
    {
        using var stream = context.Source.OpenRead();
        using var workbook = new XLWorkbook(stream, XLEventTracking.Disabled);
        var name = UniqueSheetName(workbook.Worksheets.Select(w => w.Name));
        var notes = ClosedXmlRowColumns.Write(workbook, RowColumns.ForDocument(context.Document, context.Annotations.Rows));
        ClosedXmlAnnotationSheet.Write(workbook, name, AnnotationSheetContent.Build(context.Document, context.Annotations, null, notes), cleaner);
        workbook.SaveAs(target);
    }

    private static void AddSheetToPackageCopy(OutputContext context, string target, XmlTextCleaner cleaner, CancellationToken cancellationToken)
    {
        // Placed from the source before the copy is touched: the sheets are only scanned, never loaded.
        var plan = StreamingRowColumns.Plan(context.Source.Path, RowColumns.ForDocument(context.Document, context.Annotations.Rows), cancellationToken);
        var leftOut = StreamingRowColumns.CopyWithoutLargeParts(context.Source.Path, target, cancellationToken);
        SheetStyles styles;
        var written = new Dictionary<string, Action<Stream>>(StringComparer.Ordinal);
        using (var package = SpreadsheetDocument.Open(target, isEditable: true))
        {
            var workbookPart = package.WorkbookPart ?? throw new InvalidDataException($"'{context.Document.FileName}' has no workbook part.");
            var sheets = workbookPart.Workbook.Sheets ??= new Sheets();
            styles = OpenXmlSheetWriter.EnsureStyles(workbookPart);
            var name = UniqueSheetName(sheets.Elements<Sheet>().Select(s => s.Name?.Value ?? string.Empty));
            // The SDK would buffer the new part in memory (100,000 findings make tens of MB of XML): it gets an empty
            // sheet here, and the streaming copy below writes the content into its entry.
            AppendSheet(workbookPart, sheets, name, part =>
            {
                part.Worksheet = new Worksheet(new SheetData());
                part.Worksheet.Save();
                var content = AnnotationSheetContent.Build(context.Document, context.Annotations, null, plan.Notes);
                var sheetName = name;
                written[PartName(part)] = stream => OpenXmlSheetWriter.WriteAnnotations(stream, content, styles, cleaner, sheetName);
            });
            workbookPart.Workbook.Save();
        }
        // A second streaming copy of the package puts the large parts back and writes the Annotations sheet: the SDK
        // would buffer a rewritten or new worksheet part in memory, and holds every part it has to move when it saves.
        StreamingRowColumns.Apply(target, plan, styles.Bold, leftOut, cancellationToken, written);
    }

    private static void WriteCsvWorkbook(OutputContext context, string target, XmlTextCleaner cleaner, CancellationToken cancellationToken)
    {
        var notes = new List<string>();
        var table = context.Document.Blocks.OfType<TableBlock>().FirstOrDefault();
        var rowColumns = table is null ? null : RowColumns.ForDocument(context.Document, context.Annotations.Rows).FirstOrDefault(c => ReferenceEquals(c.Table, table));
        if (rowColumns is not null)
        {
            // The Data sheet holds only the table, so the columns go right beside it.
            RowColumns.Place([rowColumns], DataSheetName, _ => false, 0);
            notes.Add(rowColumns.Describe(DataSheetName));
        }
        // The SDK would hold each sheet part in memory until the package closes and deflate it at its optimal level
        // (for a CSV of 200,000 rows that took longer than reading it): the package gets empty sheets here, and a
        // streaming copy writes their content into its entries, the Data sheet first, at the fastest level.
        var written = new Dictionary<string, Action<Stream>>(StringComparer.Ordinal);
        var dataWritten = false;
        SheetStyles styles;
        using (var package = SpreadsheetDocument.Create(target, SpreadsheetDocumentType.Workbook))
        {
            var workbookPart = package.AddWorkbookPart();
            workbookPart.Workbook = new Workbook(new Sheets());
            var sheets = workbookPart.Workbook.Sheets!;
            styles = OpenXmlSheetWriter.EnsureStyles(workbookPart);
            AppendSheet(workbookPart, sheets, DataSheetName, part =>
            {
                part.Worksheet = new Worksheet(new SheetData());
                part.Worksheet.Save();
                if (table is null)
                {
                    // The sheet stays as it is, empty.
                    notes.Add("The CSV held no table.");
                    dataWritten = true;
                    return;
                }
                written[PartName(part)] = stream =>
                {
                    dataWritten = true;
                    OpenXmlSheetWriter.WriteTable(stream, table, styles, cleaner, DataSheetName, cancellationToken, out var truncated, rowColumns);
                    if (truncated)
                    {
                        notes.Add($"The Data sheet stops at Excel's limit of {OpenXmlSheetWriter.MaxRows:N0} rows; data.csv in the csv output has every row.");
                    }
                    if (cleaner.Describe() is { } removed)
                    {
                        notes.Add($"Characters XML cannot hold (control characters such as NUL) were left out of the cells: {removed}. data.csv in the csv output keeps them.");
                    }
                };
            });
            AppendSheet(workbookPart, sheets, SheetName, part =>
            {
                part.Worksheet = new Worksheet(new SheetData());
                part.Worksheet.Save();
                written[PartName(part)] = stream =>
                {
                    // Its notes say what writing the Data sheet found, so that one has to come first (the parts are
                    // copied in the order they were made).
                    if (!dataWritten)
                    {
                        throw new InvalidOperationException("the Annotations sheet was to be written before the Data sheet");
                    }
                    OpenXmlSheetWriter.WriteAnnotations(stream, AnnotationSheetContent.Build(context.Document, context.Annotations, DataSheetName, notes), styles, cleaner, SheetName);
                };
            });
            workbookPart.Workbook.Save();
        }
        StreamingRowColumns.Apply(target, RowColumnsPlan.Empty, styles.Bold, StreamingRowColumns.LeftOutParts.None, cancellationToken, written);
    }

    private static string PartName(WorksheetPart part) => part.Uri.OriginalString.TrimStart('/');

    private static void AppendSheet(WorkbookPart workbookPart, Sheets sheets, string name, Action<WorksheetPart> write)
    {
        var part = workbookPart.AddNewPart<WorksheetPart>();
        write(part);
        var id = sheets.Elements<Sheet>().Select(s => s.SheetId?.Value ?? 0).DefaultIfEmpty(0u).Max() + 1;
        sheets.Append(new Sheet { Name = name, SheetId = id, Id = workbookPart.GetIdOfPart(part) });
    }

    /// <summary><c>Annotations</c>, or <c>Annotations (2)</c>… when a sheet of that name exists (Excel compares names case-insensitively).</summary>
    internal static string UniqueSheetName(IEnumerable<string> existing)
    {
        var taken = existing.ToHashSet(StringComparer.OrdinalIgnoreCase);
        var name = SheetName;
        for (var i = 2; taken.Contains(name); i++)
        {
            name = $"{SheetName} ({i})";
        }
        return name;
    }
}
