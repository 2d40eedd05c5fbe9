using System.Text;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers;
using ClosedXML.Excel;

namespace Annotate.Annotators.Tests.Writers;

public sealed class ReviewedOutputsTests
{
    [Fact]
    public void A_reviewed_workbook_has_the_values_written_over_cells_and_into_empty_ones_and_nothing_else_changed()
    {
        using var dir = new TempDir();
        var original = dir.File("annotated.xlsx");
        using (var workbook = new XLWorkbook())
        {
            var sheet = workbook.AddWorksheet("Ledger");
            sheet.Cell("A1").Value = "Payee";
            sheet.Cell("B1").Value = "Category";
            sheet.Cell("C1").Value = "Note";
            sheet.Cell("A2").Value = "Acme";
            sheet.Cell("B2").Value = "expense";
            sheet.Cell("A3").Value = "Globex";
            sheet.Cell("B3").Value = "income";
            sheet.Cell("C3").Value = "big";
            workbook.AddWorksheet("Other").Cell("B2").Value = "untouched";
            workbook.SaveAs(original);
        }

        using (var reviewed = File.Create(dir.File("reviewed.xlsx")))
        {
            ReviewedOutputs.CopyWorkbook(original, reviewed, new Dictionary<string, IReadOnlyList<ReviewedCell>>
            {
                // B2 exists (replaced); C2 does not (added between B2 and the row's end); row 4 has no cells at all.
                ["Ledger"] = [new ReviewedCell(2, 2, "transfer"), new ReviewedCell(2, 3, "a <note> & \u0001more"), new ReviewedCell(4, 2, "other")],
            }, CancellationToken.None);
        }

        using var result = new XLWorkbook(dir.File("reviewed.xlsx"));
        var ledger = result.Worksheet("Ledger");
        Assert.Equal("transfer", ledger.Cell("B2").GetString());
        Assert.Equal("a <note> & more", ledger.Cell("C2").GetString());
        Assert.Equal("other", ledger.Cell("B4").GetString());
        Assert.Equal(("Acme", "Globex", "income", "big", "Category"),
            (ledger.Cell("A2").GetString(), ledger.Cell("A3").GetString(), ledger.Cell("B3").GetString(), ledger.Cell("C3").GetString(), ledger.Cell("B1").GetString()));
        Assert.Equal("untouched", result.Worksheet("Other").Cell("B2").GetString());
        using var before = new XLWorkbook(original);
        Assert.Equal("expense", before.Worksheet("Ledger").Cell("B2").GetString());
        // Every part but the corrected sheet goes across as its compressed bytes; the corrected one is written again.
        var originalParts = CompressedParts(original);
        var reviewedParts = CompressedParts(dir.File("reviewed.xlsx"));
        Assert.Equal(originalParts.Keys, reviewedParts.Keys);
        var changed = originalParts.Keys.Where(name => !originalParts[name].AsSpan().SequenceEqual(reviewedParts[name])).ToList();
        Assert.Equal(["xl/worksheets/sheet1.xml"], changed);
    }

    private static Dictionary<string, byte[]> CompressedParts(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return Annotate.Annotators.Writers.Xlsx.RawZipDirectory.TryRead(new MemoryStream(bytes))!
            .ToDictionary(e => e.Name, e => bytes.AsSpan((int)e.DataOffset, (int)e.CompressedSize).ToArray());
    }

    [Fact]
    public void A_reviewed_csv_has_the_values_in_the_row_field_columns_of_their_records_and_keeps_every_other_field()
    {
        var original = "Payee,Amount,Category,Note\r\n\"Acme, Ltd\",1,expense,\r\n\"Glo\r\nbex\",2,income,big\r\n,,,\r\nInitech,3,other,\r\n";
        using var reviewed = new MemoryStream();

        ReviewedOutputs.CopyCsv(new MemoryStream(Encoding.UTF8.GetBytes(original)), reviewed, fieldCount: 2, new Dictionary<long, IReadOnlyDictionary<int, string>>
        {
            [1] = new Dictionary<int, string> { [0] = "transfer", [1] = "said \"hi\"" },
            [3] = new Dictionary<int, string> { [0] = "income" },
            [9] = new Dictionary<int, string> { [0] = "no such record" },
        }, CancellationToken.None);

        Assert.Equal(
            "Payee,Amount,Category,Note\r\n\"Acme, Ltd\",1,expense,\r\n\"Glo\r\nbex\",2,transfer,\"said \"\"hi\"\"\"\r\n,,,\r\nInitech,3,income,\r\n",
            Encoding.UTF8.GetString(reviewed.ToArray()));
    }
}
