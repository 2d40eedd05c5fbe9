using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Writers.Xlsx;

namespace Annotate.Annotators.Tests.Writers.Xlsx;

public class AnnotationSheetContentTests
{
    [Fact]
    public void Each_column_is_as_wide_as_its_longest_text_outside_the_titles_within_8_to_60()
    {
        var annotations = WriterFixtures.LedgerAnnotations();
        annotations.Entities.Add(new EntityAnnotation
        {
            Type = "url", Text = "https://example.com/" + new string('x', 200), Value = "https://example.com/", Location = SourceLocation.InSheet("Ledger", "F9"), Annotator = "patterns",
        });
        var document = new Document { FileName = "a-workbook-with-a-rather-long-file-name-for-the-title-row.xlsx", Format = SourceFormat.Xlsx };

        var content = AnnotationSheetContent.Build(document, annotations, dataSheet: null, notes: []);

        // Against the widths computed the plain way: every column, every row but the titles.
        var expected = Enumerable.Range(0, content.Rows.Max(r => r.Cells.Count)).Select(c =>
        {
            var lengths = content.Rows.Where(r => r.Style != SheetRowStyle.Title && c < r.Cells.Count).Select(r => AnnotationSheetContent.Render(r.Cells[c]).Length).ToList();
            return (double)Math.Clamp((lengths.Count == 0 ? 8 : lengths.Max()) + 2, 8, 60);
        });
        Assert.Equal(expected, content.ColumnWidths);
        Assert.Equal(60, content.ColumnWidths[1]); // the long URL, not the longer title
        Assert.Contains(content.ColumnWidths, w => w < 60);
    }
}
