using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;

namespace Annotate.Annotators.Tests.Builtin;

/// <summary>Builds documents in memory for annotator and writer tests.</summary>
internal static class TestDocuments
{
    public static AnnotationContext Context(Document document) => new("doc-1", document, new AnnotationProfile());

    public static Document Text(params Block[] blocks) => new()
    {
        FileName = "notes.md",
        Format = SourceFormat.Markdown,
        SizeBytes = 1234,
        Sha256 = new string('a', 64),
        Blocks = blocks,
    };

    public static ParagraphBlock Paragraph(string text, int line) => new(text) { Location = SourceLocation.AtLine(line) };

    public static TableBlock Table(string sheet, IReadOnlyList<string> columns, IEnumerable<IReadOnlyList<CellValue>> rows, int firstColumn = 1, long headerRow = 1) =>
        new()
        {
            Name = sheet,
            Columns = columns,
            HasHeaderRow = true,
            FirstColumn = firstColumn,
            FirstRow = headerRow,
            Location = SourceLocation.InSheet(sheet, CellReferences.ColumnName(firstColumn) + headerRow),
            Rows = new InMemoryRows(rows.Select((cells, i) => new TableRow(headerRow + 1 + i, cells)).ToList()),
        };

    public static CellValue T(string text) => CellValue.FromText(text);

    public static CellValue N(double number) => CellValue.FromNumber(number);

    public static CellValue D(int year, int month, int day) => CellValue.FromDateTime(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Unspecified));
}
