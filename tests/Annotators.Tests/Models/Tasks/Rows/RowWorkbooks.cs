using ClosedXML.Excel;

namespace Annotate.Annotators.Tests.Models.Tasks.Rows;

/// <summary>Business-like workbooks for the row annotator: a ledger of transactions and a large plain table.</summary>
internal static class RowWorkbooks
{
    private static readonly string[] Descriptions =
    [
        "Invoice 1042 paid by Acme GmbH", "Office rent March", "Transfer to savings", "Coffee beans for the kitchen",
        "Refund from Globex", "Salary Anna Berg", "Train tickets Berlin", "Consulting fee Initech",
    ];

    private static readonly string[] Accounts = ["Bank", "Cash", "Savings"];

    /// <summary>Sheet <c>Ledger</c>: header in row 1 (Date, Description, Amount, Account), <paramref name="rows"/> entries below; sheet <c>About</c> with a note.</summary>
    public static void Ledger(string path, int rows)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Ledger");
        sheet.Cell("A1").Value = "Date";
        sheet.Cell("B1").Value = "Description";
        sheet.Cell("C1").Value = "Amount";
        sheet.Cell("D1").Value = "Account";
        sheet.Range("A1:D1").Style.Font.Bold = true;
        for (var i = 0; i < rows; i++)
        {
            var r = i + 2;
            sheet.Cell(r, 1).Value = new DateTime(2024, 1, 1).AddDays(i * 3);
            sheet.Cell(r, 2).Value = Descriptions[i % Descriptions.Length];
            sheet.Cell(r, 3).Value = (i % 3 == 1 ? -1 : 1) * (12.5 + (i * 17.25));
            sheet.Cell(r, 4).Value = Accounts[i % Accounts.Length];
        }
        var about = workbook.AddWorksheet("About");
        about.Cell("A1").Value = "Exported from the accounting system";
        workbook.SaveAs(path);
    }
}
