using System.Globalization;
using System.Text;
using ClosedXML.Excel;

namespace Annotate.Annotators.Tests.Semantic;

/// <summary>
/// Tables whose every column's semantic type is known: an English order workbook, a German customer CSV (semicolons,
/// decimal commas), a French CSV and a CSV without a header row. Each column is (header, expected type, values).
/// </summary>
internal static class ColumnTypeWorkbooks
{
    public const int Rows = 24;

    private static readonly string[] Companies = ["Acme Trading Ltd", "Globex Corporation", "Initech Inc.", "Umbrella Holding", "Stark Industries LLC", "Wayne Enterprises plc"];
    private static readonly string[] Firmen = ["Müller GmbH", "Schmidt & Söhne KG", "Bäckerei Krause e.K.", "Nordlicht AG", "Weber Logistik GmbH", "Fischer Bau GmbH & Co. KG"];
    private static readonly string[] People = ["Anna Berg", "John Smith", "Maria Garcia", "Peter O'Neill", "Lisa-Marie Wong", "David Miller", "Sarah Johnson", "Tom Baker"];
    private static readonly string[] Personen = ["Jürgen Weiß", "Sabine Köhler", "Thomas Müller", "Petra Schulz", "Stefan Groß", "Monika Braun", "Klaus Becker"];
    private static readonly string[] Streets = ["High Street", "Baker Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road"];
    private static readonly string[] Straßen = ["Hauptstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee", "Schillerplatz", "Goethestraße"];
    private static readonly string[] Cities = ["Berlin", "München", "Hamburg", "Köln", "Leipzig", "Dresden"];
    private static readonly string[] Countries = ["United Kingdom", "Germany", "France", "United States", "Netherlands", "Ireland"];
    private static readonly string[] Länder = ["Deutschland", "Österreich", "Schweiz", "Frankreich", "Italien", "Niederlande"];
    private static readonly string[] Categories = ["Hardware", "Software", "Services"];
    private static readonly string[] Warengruppen = ["Büromaterial", "Möbel", "Elektronik", "Reinigung"];
    private static readonly string[] Statuses = ["open", "shipped", "delivered", "cancelled"];
    private static readonly string[] Notes =
    [
        "Please deliver to the back entrance before noon.", "Customer asked for an invoice in paper form as well.",
        "Two boxes were damaged in transit and will be replaced.", "Call the office manager when the driver arrives.",
        "The order was combined with last week's backorder.",
    ];
    private static readonly string[] Bemerkungen =
    [
        "Bitte vor 12 Uhr am Hintereingang anliefern.", "Der Kunde wünscht zusätzlich eine Rechnung in Papierform.",
        "Zwei Kartons wurden beim Transport beschädigt und werden ersetzt.", "Lieferung bitte vorher telefonisch ankündigen.",
    ];

    public sealed record Column(string Header, string Type, Func<int, object> Value);

    /// <summary>Sheet "Orders" of an English workbook: 16 columns.</summary>
    public static IReadOnlyList<Column> English { get; } =
    [
        new("Order ID", "identifier", i => 10_001 + i),
        new("Customer", "company", i => Companies[i % Companies.Length]),
        new("Contact", "person-name", i => People[i % People.Length]),
        new("Email", "email", i => $"{People[i % People.Length].Split(' ')[0].ToLowerInvariant().Replace("'", "", StringComparison.Ordinal)}{i}@example.com"),
        new("Phone", "phone", i => $"+44 20 7946 {i:D4}"),
        new("Ship-to address", "address", i => $"{i + 3} {Streets[i % Streets.Length]}, London SW1A {i % 9}AA"),
        new("Country", "country", i => Countries[i % Countries.Length]),
        new("Order date", "date", i => new DateTime(2024, 1, 5).AddDays(i * 4)),
        new("SKU", "product-code", i => $"AB-{1040 + (i * 7)}"),
        new("Category", "category", i => Categories[i % Categories.Length]),
        new("Quantity", "quantity", i => (i % 7) + 1),
        new("Unit price", "amount", i => 9.99 + (i * 3.5)),
        new("Discount", "percentage", i => (i % 4) * 0.05),
        new("Website", "url", i => $"https://www.{Companies[i % Companies.Length].Split(' ')[0].ToLowerInvariant()}.com"),
        new("Notes", "free-text", i => Notes[i % Notes.Length]),
        new("Status", "category", i => Statuses[i % Statuses.Length]),
    ];

    /// <summary>A German customer list as CSV: 15 columns.</summary>
    public static IReadOnlyList<Column> German { get; } =
    [
        new("Kundennummer", "identifier", i => (40_100 + i).ToString(CultureInfo.InvariantCulture)),
        new("Kunde", "company", i => Firmen[i % Firmen.Length]),
        new("Ansprechpartner", "person-name", i => Personen[i % Personen.Length]),
        new("E-Mail", "email", i => $"kontakt{i}@firma-{i % 5}.de"),
        new("Telefon", "phone", i => $"030 {1_234_500 + i}"),
        new("Anschrift", "address", i => $"{Straßen[i % Straßen.Length]} {i + 1}, {10_115 + (i * 37)} {Cities[i % Cities.Length]}"),
        new("Land", "country", i => Länder[i % Länder.Length]),
        new("Bestelldatum", "date", i => new DateTime(2024, 3, 1).AddDays(i * 2).ToString("dd.MM.yyyy", CultureInfo.InvariantCulture)),
        new("Artikelnummer", "product-code", i => $"ART-{4411 + i}"),
        new("Warengruppe", "category", i => Warengruppen[i % Warengruppen.Length]),
        new("Menge", "quantity", i => ((i % 12) + 1).ToString(CultureInfo.InvariantCulture)),
        new("Preis", "amount", i => (12.5 + (i * 4.25)).ToString("0.00", CultureInfo.GetCultureInfo("de-DE"))),
        new("Rabatt", "percentage", i => $"{i % 4 * 5} %"),
        new("Webseite", "url", i => $"www.firma-{i % 5}.de"),
        new("Bemerkung", "free-text", i => Bemerkungen[i % Bemerkungen.Length]),
    ];

    /// <summary>A French CSV: 5 columns.</summary>
    public static IReadOnlyList<Column> French { get; } =
    [
        new("Nom du client", "company", i => new[] { "Dupont SARL", "Lefèvre et Fils SA", "Boulangerie Martin SAS", "Transports Roux SARL" }[i % 4]),
        new("Courriel", "email", i => $"contact{i}@exemple.fr"),
        new("Date de livraison", "date", i => new DateTime(2024, 5, 2).AddDays(i).ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)),
        new("Prix TTC", "amount", i => $"{(19.9 + i).ToString("0.00", CultureInfo.GetCultureInfo("fr-FR"))} €"),
        new("Quantité", "quantity", i => ((i % 5) + 2).ToString(CultureInfo.InvariantCulture)),
    ];

    /// <summary>Headers no vocabulary names: their meaning and the values decide (8 columns, written as a second sheet).</summary>
    public static IReadOnlyList<Column> Unnamed { get; } =
    [
        new("Legal entity", "company", i => Companies[i % Companies.Length]),
        new("Recipient", "person-name", i => People[i % People.Length]),
        new("Ordered on", "date", i => new DateTime(2024, 2, 1).AddDays(i)),
        new("Valid until", "date", i => new DateTime(2025, 2, 1).AddDays(i * 3)),
        new("Hyperlink", "url", i => $"https://docs.example.com/page/{i}"),
        new("Dial-in", "phone", i => $"+1 (555) 010-{i:D4}"),
        new("Head office", "address", i => $"{i + 10} {Streets[i % Streets.Length]}, Leeds LS1 {i % 9}AB"),
        new("Placed by", "person-name", i => People[(i + 3) % People.Length]),
    ];

    /// <summary>A CSV without a header row: only the values can tell (6 columns).</summary>
    public static IReadOnlyList<Column> Headerless { get; } =
    [
        new("", "email", i => $"buyer{i}@shop.example.org"),
        new("", "date", i => new DateTime(2023, 11, 1).AddDays(i).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
        new("", "amount", i => $"€{(5 + (i * 2.25)).ToString("0.00", CultureInfo.InvariantCulture)}"),
        new("", "person-name", i => People[i % People.Length]),
        new("", "url", i => $"https://shop.example.org/item/{i}"),
        new("", "company", i => Firmen[i % Firmen.Length]),
    ];

    public static void WriteWorkbook(string path, params IReadOnlyList<Column>[] sheets)
    {
        using var workbook = new XLWorkbook();
        for (var s = 0; s < sheets.Length; s++)
        {
            Fill(workbook.AddWorksheet(s == 0 ? "Orders" : "Sheet" + (s + 1)), sheets[s]);
        }
        workbook.SaveAs(path);
    }

    private static void Fill(IXLWorksheet sheet, IReadOnlyList<Column> columns)
    {
        for (var c = 0; c < columns.Count; c++)
        {
            sheet.Cell(1, c + 1).Value = columns[c].Header;
            for (var r = 0; r < Rows; r++)
            {
                sheet.Cell(r + 2, c + 1).Value = columns[c].Value(r) switch
                {
                    int n => n,
                    double d => d,
                    DateTime d => d,
                    var other => other.ToString(),
                };
            }
        }
    }

    public static void WriteCsv(string path, IReadOnlyList<Column> columns, char delimiter, bool header = true)
    {
        var text = new StringBuilder();
        if (header)
        {
            text.AppendJoin(delimiter, columns.Select(c => c.Header)).Append('\n');
        }
        for (var r = 0; r < Rows; r++)
        {
            text.AppendJoin(delimiter, columns.Select(c => Convert.ToString(c.Value(r), CultureInfo.InvariantCulture))).Append('\n');
        }
        File.WriteAllText(path, text.ToString(), new UTF8Encoding(false));
    }
}
