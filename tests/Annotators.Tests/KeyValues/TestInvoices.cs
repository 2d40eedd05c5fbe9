using ClosedXML.Excel;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Word = DocumentFormat.OpenXml.Wordprocessing;

namespace Annotate.Annotators.Tests.KeyValues;

/// <summary>A label as an invoice writes it and the value it stands for.</summary>
public sealed record Field(string Label, string Value);

/// <summary>One invoice's wording in one language, and the keys its labels must normalise to.</summary>
public sealed record InvoiceText
{
    public required string Language { get; init; }
    public required string Issuer { get; init; }
    public required string IssuerAddress { get; init; }
    public required string Recipient { get; init; }
    public required string BillTo { get; init; }
    public required string Title { get; init; }
    /// <summary>The invoice number's line as written, label and value together.</summary>
    public required string NumberLine { get; init; }
    public required Field Number { get; init; }
    public required Field Date { get; init; }
    /// <summary>The date as a day of the calendar, for workbooks that hold it as a date.</summary>
    public required DateTime DateValue { get; init; }
    public required Field DueDate { get; init; }
    public required Field Order { get; init; }
    public required Field Customer { get; init; }
    public required Field Net { get; init; }
    public required Field Vat { get; init; }
    public required Field Total { get; init; }
    public required Field VatId { get; init; }
    public required string Email { get; init; }
    public required string[] ItemHeader { get; init; }
    public required string[][] Items { get; init; }

    public static InvoiceText English { get; } = new()
    {
        Language = "en",
        Issuer = "Northwind Traders Ltd",
        IssuerAddress = "12 Harbour Street, Bristol BS1 4DJ, United Kingdom",
        Recipient = "Contoso Retail Inc.",
        BillTo = "Bill to:",
        Title = "INVOICE",
        NumberLine = "Invoice No.: 100482",
        Number = new("Invoice No.", "100482"),
        Date = new("Date", "15 March 2024"),
        DateValue = new DateTime(2024, 3, 15),
        DueDate = new("Due date", "14 April 2024"),
        Order = new("Order #", "PO-7781"),
        Customer = new("Customer ID", "C-20931"),
        Net = new("Subtotal", "1,000.00"),
        Vat = new("VAT 20%", "200.00"),
        Total = new("Total due", "GBP 1,200.00"),
        VatId = new("VAT No.", "GB980780684"),
        Email = "accounts@northwind-traders.co.uk",
        ItemHeader = ["Description", "Qty", "Amount"],
        Items = [["Consulting services", "8", "800.00"], ["Travel expenses", "1", "200.00"]],
    };

    public static InvoiceText German { get; } = new()
    {
        Language = "de",
        Issuer = "Müller & Schmidt GmbH",
        IssuerAddress = "Hauptstraße 12, 10115 Berlin",
        Recipient = "Beispiel Handels AG",
        BillTo = "Rechnungsempfänger:",
        Title = "RECHNUNG",
        NumberLine = "Rechnungsnummer 2024-0117",
        Number = new("Rechnungsnummer", "2024-0117"),
        Date = new("Rechnungsdatum", "15.03.2024"),
        DateValue = new DateTime(2024, 3, 15),
        DueDate = new("Fällig am", "14.04.2024"),
        Order = new("Bestell-Nr.", "B-55120"),
        Customer = new("Kunden-Nr.", "K-4711"),
        Net = new("Zwischensumme", "1.000,00 €"),
        Vat = new("MwSt. 19%", "190,00 €"),
        Total = new("Gesamtbetrag", "1.190,00 €"),
        VatId = new("USt-IdNr.", "DE136695976"),
        Email = "buchhaltung@mueller-schmidt.de",
        ItemHeader = ["Beschreibung", "Menge", "Betrag"],
        Items = [["Beratungsleistung", "8", "800,00"], ["Reisekosten", "1", "200,00"]],
    };

    public static InvoiceText French { get; } = new()
    {
        Language = "fr",
        Issuer = "Dupont et Fils SARL",
        IssuerAddress = "5 rue de la République, 69002 Lyon",
        Recipient = "Boulangerie Martin SAS",
        BillTo = "Facturé à :",
        Title = "FACTURE",
        NumberLine = "Facture n° : F-2024-117",
        Number = new("Facture n°", "F-2024-117"),
        Date = new("Date", "15/03/2024"),
        DateValue = new DateTime(2024, 3, 15),
        DueDate = new("Échéance", "14/04/2024"),
        Order = new("Commande n°", "CMD-3390"),
        Customer = new("N° client", "CL-0815"),
        Net = new("Total HT", "1 000,00 €"),
        Vat = new("TVA 20%", "200,00 €"),
        Total = new("Total TTC", "1 200,00 €"),
        VatId = new("N° TVA intracommunautaire", "FR40303265045"),
        Email = "compta@dupont-fils.fr",
        ItemHeader = ["Désignation", "Quantité", "Montant"],
        Items = [["Prestation de conseil", "8", "800,00"], ["Frais de déplacement", "1", "200,00"]],
    };

    public static IEnumerable<InvoiceText> All => [English, German, French];

    public static InvoiceText For(string language) => All.Single(i => i.Language == language);

    /// <summary>The vocabulary key each labelled field's label must normalise to.</summary>
    public IEnumerable<(string Key, Field Field)> Keyed =>
    [
        ("invoice-number", Number), ("date", Date), ("due-date", DueDate), ("order-number", Order), ("customer-number", Customer),
        ("net-total", Net), ("vat", Vat), ("total", Total), ("vat-id", VatId),
    ];
}

/// <summary>Writes one invoice as a PDF page, a DOCX and an XLSX, with labels beside, below and in table cells.</summary>
public static class TestInvoices
{
    /// <summary>
    /// A one-page PDF: letterhead, recipient under a "bill to" label, the number and date on one line, order, customer
    /// and due date as labels above their values, the line items, the totals beside their labels, and a footer.
    /// </summary>
    public static void Pdf(InvoiceText invoice, string path)
    {
        var pdf = new WinAnsiPdf();
        void Text(string text, double x, double y, double size = 10, bool strong = false) => pdf.Text(text, x, y, size, strong);

        Text(invoice.Issuer, 50, 790, 14, strong: true);
        Text(invoice.IssuerAddress, 50, 774, 9);
        Text(invoice.BillTo, 50, 735);
        Text(invoice.Recipient, 50, 721);
        Text(invoice.Title, 50, 670, 16, strong: true);
        Text(invoice.NumberLine, 50, 640);
        Text(invoice.Date.Label + ": " + invoice.Date.Value, 330, 640);
        Text(invoice.Order.Label, 50, 605, strong: true);
        Text(invoice.Customer.Label, 200, 605, strong: true);
        Text(invoice.DueDate.Label, 350, 605, strong: true);
        Text(invoice.Order.Value, 50, 590);
        Text(invoice.Customer.Value, 200, 590);
        Text(invoice.DueDate.Value, 350, 590);
        double[] columns = [50, 330, 450];
        for (var c = 0; c < 3; c++)
        {
            Text(invoice.ItemHeader[c], columns[c], 545, strong: true);
        }
        for (var r = 0; r < invoice.Items.Length; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                Text(invoice.Items[r][c], columns[c], 530 - (15 * r));
            }
        }
        Text(invoice.Net.Label, 330, 470);
        Text(invoice.Net.Value, 450, 470);
        Text(invoice.Vat.Label, 330, 455);
        Text(invoice.Vat.Value, 450, 455);
        Text(invoice.Total.Label, 330, 440, strong: true);
        Text(invoice.Total.Value, 450, 440, strong: true);
        Text(invoice.VatId.Label + ": " + invoice.VatId.Value, 50, 90, 8);
        Text(invoice.Email, 330, 90, 8);
        pdf.Save(path);
    }

    /// <summary>
    /// A DOCX: letterhead and recipient paragraphs, the number on a line of its own, date and due date as label and value
    /// cells, order and customer as a row of labels over a row of values, the items, and the totals as label cells.
    /// </summary>
    public static void Docx(InvoiceText invoice, string path)
    {
        using var word = WordprocessingDocument.Create(path, DocumentFormat.OpenXml.WordprocessingDocumentType.Document);
        var main = word.AddMainDocumentPart();
        main.Document = new Word.Document(new Body(
            Paragraph(invoice.Issuer),
            Paragraph(invoice.IssuerAddress),
            Paragraph(invoice.BillTo),
            Paragraph(invoice.Recipient),
            Paragraph(invoice.Title),
            Paragraph(invoice.NumberLine),
            Table([invoice.Date.Label, invoice.Date.Value], [invoice.DueDate.Label, invoice.DueDate.Value]),
            Paragraph(""),
            Table([invoice.Order.Label, invoice.Customer.Label], [invoice.Order.Value, invoice.Customer.Value]),
            Paragraph(""),
            Table([invoice.ItemHeader, .. invoice.Items]),
            Paragraph(""),
            Table([invoice.Net.Label, invoice.Net.Value], [invoice.Vat.Label, invoice.Vat.Value], [invoice.Total.Label, invoice.Total.Value]),
            Paragraph(invoice.VatId.Label + ": " + invoice.VatId.Value + " · " + invoice.Email)));
    }

    /// <summary>
    /// A workbook: letterhead in the top rows, number and date as label and value cells, order, customer and due date as
    /// a row of labels over their values, the items, the totals beside their labels, and the VAT id at the bottom.
    /// </summary>
    public static void Xlsx(InvoiceText invoice, string path)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet(invoice.Title);
        sheet.Cell("A1").Value = invoice.Issuer;
        sheet.Cell("A2").Value = invoice.IssuerAddress;
        sheet.Cell("A4").Value = invoice.Recipient;
        sheet.Cell("A6").Value = invoice.Number.Label;
        sheet.Cell("B6").Value = invoice.Number.Value;
        sheet.Cell("A7").Value = invoice.Date.Label;
        sheet.Cell("B7").Value = invoice.DateValue;
        sheet.Cell("A9").Value = invoice.Order.Label;
        sheet.Cell("B9").Value = invoice.Customer.Label;
        sheet.Cell("C9").Value = invoice.DueDate.Label;
        sheet.Cell("A10").Value = invoice.Order.Value;
        sheet.Cell("B10").Value = invoice.Customer.Value;
        sheet.Cell("C10").Value = invoice.DueDate.Value;
        for (var c = 0; c < 3; c++)
        {
            sheet.Cell(12, c + 1).Value = invoice.ItemHeader[c];
            for (var r = 0; r < invoice.Items.Length; r++)
            {
                sheet.Cell(13 + r, c + 1).Value = invoice.Items[r][c];
            }
        }
        sheet.Cell("B16").Value = invoice.Net.Label;
        sheet.Cell("C16").Value = invoice.Net.Value;
        sheet.Cell("B17").Value = invoice.Vat.Label;
        sheet.Cell("C17").Value = invoice.Vat.Value;
        sheet.Cell("B18").Value = invoice.Total.Label;
        sheet.Cell("C18").Value = invoice.Total.Value;
        sheet.Cell("A20").Value = invoice.VatId.Label;
        sheet.Cell("B20").Value = invoice.VatId.Value;
        workbook.SaveAs(path);
    }

    private static Paragraph Paragraph(string text) => new(new Run(new Word.Text(text) { Space = DocumentFormat.OpenXml.SpaceProcessingModeValues.Preserve }));

    private static Word.Table Table(params string[][] rows) =>
        new(rows.Select(cells => new Word.TableRow(cells.Select(text => new TableCell(Paragraph(text))))));
}
