using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Annotators.Writers.Json;
using Annotate.Gateway.Tests.Support;
using ClosedXML.Excel;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Annotate.Gateway.Tests.EndToEnd;

/// <summary>
/// The whole product as a user meets it: start the one-process host, drop documents into the inbox, and check
/// that the outputs say what a person reading the documents would expect.
/// </summary>
public sealed class OneProcessEndToEndTests
{
    [Fact]
    public async Task Documents_dropped_into_the_inbox_come_back_annotated_and_reformatted()
    {
        await using var host = new GatewayHost();
        Directory.CreateDirectory(host.Inbox);
        File.Copy(Shared.Corpus("pdf/pdflatex-4-pages.pdf"), Path.Combine(host.Inbox, "pdflatex-4-pages.pdf"));
        File.Copy(Shared.Corpus("xlsx/UsingTables.xlsx"), Path.Combine(host.Inbox, "UsingTables.xlsx"));
        await File.WriteAllBytesAsync(Path.Combine(host.Inbox, "letter.pdf"), BusinessLetterPdf());
        WriteLedger(Path.Combine(host.Inbox, "ledger.xlsx"));
        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "contacts.csv"),
            "Name;E-mail;Balance;Since\nAnna Schmidt;anna.schmidt@example.de;1.234,56;15.03.2024\nJan de Vries;jan@example.nl;99,00;01.02.2023\n");

        var corpusPdf = await OutputsOf(host, "pdflatex-4-pages.pdf");
        var corpusBook = await OutputsOf(host, "UsingTables.xlsx");
        var letter = await OutputsOf(host, "letter.pdf");
        var ledger = await OutputsOf(host, "ledger.xlsx");
        var contacts = await OutputsOf(host, "contacts.csv");

        // Every annotations.json follows the published schema.
        foreach (var output in new[] { corpusPdf, corpusBook, letter, ledger, contacts })
        {
            Assert.Empty(AnnotationsSchema.Validate(output.Annotations));
        }

        // The corpus PDF: English, four pages, Markdown with page markers.
        Assert.Equal("en", (string?)corpusPdf.Annotations["language"]?["code"]);
        Assert.Equal(4, (int?)corpusPdf.Annotations["properties"]?["pageCount"]);
        Assert.Contains("<!-- page 4 -->", corpusPdf.Markdown);
        Assert.Contains("Hello, here is some text without a meaning.", corpusPdf.Markdown);

        // The corpus workbook: its Excel table as a Markdown table, typed columns, an annotated copy.
        Assert.Contains("| FName | LName | Outcast | DOB | Income | Age |", corpusBook.Markdown);
        Assert.Contains("| John | Galt | TRUE | 1919-01-21 | 2000 |", corpusBook.Markdown);
        Assert.Equal("date", ColumnType(corpusBook, "DOB"));
        Assert.Equal("boolean", ColumnType(corpusBook, "Outcast"));
        Assert.Equal("integer", ColumnType(corpusBook, "Income"));
        Assert.True(File.Exists(Path.Combine(corpusBook.Folder, "annotated.xlsx")));

        // The letter: title from its properties, language, normalised dates, amounts, e-mail and IBAN.
        Assert.Equal("Invoice 2024-0042", (string?)letter.Annotations["properties"]?["title"]);
        Assert.Equal("en", (string?)letter.Annotations["language"]?["code"]);
        Assert.Contains(Entities(letter, "date"), e => (string?)e["value"] == "2024-03-15");
        Assert.Contains(Entities(letter, "date"), e => (string?)e["value"] == "2024-04-14");
        Assert.Contains(Entities(letter, "money"), e => (string?)e["currency"] == "EUR" && Amount(e) == 1250.00m);
        Assert.Contains(Entities(letter, "email"), e => (string?)e["value"] == "billing@acme.example");
        Assert.Contains(Entities(letter, "iban"), e => (string?)e["value"] == "DE89370400440532013000");
        Assert.All(Entities(letter, "date"), e => Assert.Equal(1, (int?)e["location"]?["page"]));

        // The generated ledger: column types, personal data, findings with cell references in annotated.xlsx.
        Assert.Equal("date", ColumnType(ledger, "Booked"));
        Assert.Equal("number", ColumnType(ledger, "Amount"));
        Assert.Equal("text", ColumnType(ledger, "Customer"));
        Assert.Contains("email", ledger.Annotations["columns"]!.AsArray().Single(c => (string?)c!["header"] == "Contact")!["personalData"]!.AsArray().Select(n => (string?)n));
        Assert.Contains("| Booked | Customer | Contact | Amount | Paid |", ledger.Markdown);
        using (var book = new XLWorkbook(Path.Combine(ledger.Folder, "annotated.xlsx")))
        {
            Assert.Equal("Acme GmbH", book.Worksheet("Ledger").Cell("B2").GetString());
            var annotations = book.Worksheet("Annotations");
            Assert.Contains(annotations.CellsUsed(), c => c.GetString() == "Contact");
        }
        Assert.Contains(Directory.EnumerateFiles(ledger.Folder, "*.csv"), f => File.ReadAllText(f).StartsWith("Booked,Customer,Contact,Amount,Paid", StringComparison.Ordinal));

        // The European CSV: semicolons, decimal commas and day-first dates understood.
        Assert.Equal(";", (string?)contacts.Annotations["properties"]?["delimiter"]);
        Assert.Equal("number", ColumnType(contacts, "Balance"));
        Assert.Equal("date", ColumnType(contacts, "Since"));
        Assert.Equal("2023-02-01", (string?)contacts.Annotations["columns"]!.AsArray().Single(c => (string?)c!["header"] == "Since")!["min"]);
        Assert.Contains("| Anna Schmidt | anna.schmidt@example.de | 1.234,56 | 15.03.2024 |", contacts.Markdown);
    }

    private sealed record Outputs(string Folder, JsonNode Annotations, string Markdown);

    private static async Task<Outputs> OutputsOf(GatewayHost host, string fileName)
    {
        var document = await host.WaitForInboxFileAsync(fileName);
        Assert.True(document.GetProperty("state").GetString() == "Completed",
            $"{fileName}: {document.GetProperty("state").GetString()} {document.GetProperty("reason")} {document.GetProperty("message")}");
        var folder = Path.Combine(host.Outbox, document.GetProperty("id").GetString()!);
        var annotations = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "annotations.json")))!;
        return new Outputs(folder, annotations, await File.ReadAllTextAsync(Path.Combine(folder, "content.md")));
    }

    private static string? ColumnType(Outputs outputs, string header) =>
        (string?)outputs.Annotations["columns"]!.AsArray().First(c => (string?)c!["header"] == header)!["inferredType"];

    private static List<JsonNode> Entities(Outputs outputs, string type) =>
        outputs.Annotations["entities"]!.AsArray().Where(e => (string?)e!["type"] == type).Select(e => e!).ToList();

    private static decimal Amount(JsonNode entity) => decimal.Parse((string)entity["value"]!, CultureInfo.InvariantCulture);

    private static byte[] BusinessLetterPdf()
    {
        var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = "Invoice 2024-0042";
        builder.DocumentInformation.Author = "Acme Billing";
        var page = builder.AddPage(PageSize.A4);
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        page.AddText("Invoice 2024-0042", 18, new PdfPoint(60, 760), bold);
        string[] lines =
        [
            "Dear customer, thank you for your order of 15 March 2024.",
            "Please transfer the total amount of EUR 1,250.00 to our account",
            "IBAN DE89 3704 0044 0532 0130 00 before 14 April 2024.",
            "Questions about this invoice can be sent to billing@acme.example at any time.",
            "We look forward to working with you again next year.",
        ];
        for (var i = 0; i < lines.Length; i++)
        {
            page.AddText(lines[i], 11, new PdfPoint(60, 720 - (i * 16)), font);
        }
        return builder.Build();
    }

    private static void WriteLedger(string path)
    {
        using var book = new XLWorkbook();
        var sheet = book.AddWorksheet("Ledger");
        sheet.Cell(1, 1).Value = "Booked";
        sheet.Cell(1, 2).Value = "Customer";
        sheet.Cell(1, 3).Value = "Contact";
        sheet.Cell(1, 4).Value = "Amount";
        sheet.Cell(1, 5).Value = "Paid";
        sheet.Range(1, 1, 1, 5).Style.Font.Bold = true;
        string[] customers = ["Acme GmbH", "Globex Ltd", "Initech", "Umbrella plc"];
        for (var row = 2; row <= 41; row++)
        {
            var i = row - 2;
            sheet.Cell(row, 1).Value = new DateTime(2024, 1, 1).AddDays(i * 3);
            sheet.Cell(row, 2).Value = customers[i % customers.Length];
            sheet.Cell(row, 3).Value = $"contact{i}@{customers[i % customers.Length].Split(' ')[0].ToLowerInvariant()}.example";
            sheet.Cell(row, 4).Value = 100.25 + (i * 17.5);
            sheet.Cell(row, 5).Value = i % 3 == 0;
        }
        book.SaveAs(path);
    }
}
