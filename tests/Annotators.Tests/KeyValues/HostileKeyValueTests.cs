using System.Text;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.KeyValues;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Annotators.Tests.KeyValues;

/// <summary>Text documents through the real pipeline: other wordings, other scripts, and input built to make the work explode.</summary>
public class HostileKeyValueTests
{
    /// <summary>A user's schema: fields named unlike any key, described in words, of several types, one of them odd.</summary>
    private const string UserSchema = """
        { "type": "object", "properties": {
            "docId": { "type": "string", "description": "The invoice number" },
            "amount": { "type": "integer", "description": "Total amount to pay" },
            "dueOn": { "type": ["string", "null"], "format": "date" },
            "kind": { "enum": [1, 2] },
            "notes": { "type": "array", "items": { "type": "string" } } } }
        """;

    private static IDocumentPipeline Pipeline(int maxPairs = 1000) => new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Profiles:kv:Annotators:0"] = "key-values",
            ["Annotate:Profiles:user:Annotators:0"] = "key-values",
            ["Annotate:Profiles:user:ExtractionSchema"] = UserSchema,
            ["Annotate:KeyValues:MaxPairs"] = maxPairs.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }).Build())
        .AddLogging()
        .AddAnnotators()
        .BuildServiceProvider()
        .GetRequiredService<IDocumentPipeline>();

    [Fact]
    public async Task A_label_no_alias_names_takes_its_key_by_similarity_and_an_unrelated_one_stays_raw()
    {
        var annotations = await Annotate("letter.txt", "Customer account number: C-20931\nRemarques: livraison le matin\nInvoice No. 100482\n");

        var pairs = annotations.KeyValues!.Pairs;
        var customer = pairs.Single(p => p.Value == "C-20931");
        Assert.Equal(("customer-number", KeyValueItem.SimilarityMatch, "inline"), (customer.Key, customer.KeyMatch, customer.Layout));
        Assert.Equal((0, 0, 25), (customer.Location.Block, customer.LabelLocation.Offset, customer.Location.Offset));
        var remark = pairs.Single(p => p.Label == "Remarques");
        Assert.Equal(("livraison le matin", null), (remark.Value, remark.Key));
        Assert.Equal("invoice-number", pairs.Single(p => p.Value == "100482").Key);
    }

    [Fact]
    public async Task A_label_keeps_its_key_only_with_a_value_of_the_keys_shape()
    {
        // A manual's lines read like invoice labels ("order", "date", "commande"-like "command"); their values do not.
        var annotations = await Annotate("manual.txt",
            "Order No.: 4711\nSort order: --flatten, --sort-by, --filter, --limit.\nDate: $ gcloud projects list --format=json\nTotal: none given here\nCustomer: Contoso Retail Inc.\n");

        var pairs = annotations.KeyValues!.Pairs;
        Assert.Equal(("order-number", KeyValueItem.AliasMatch), (pairs.Single(p => p.Value == "4711").Key, pairs.Single(p => p.Value == "4711").KeyMatch));
        var raw = pairs.Where(p => p.Value != "4711").ToList();
        Assert.Equal(["Sort order", "Date", "Total", "Customer"], raw.Select(p => p.Label));
        Assert.All(raw, p => Assert.Equal((null, null, null), (p.Key, p.KeyMatch, p.KeyScore)));
    }

    [Fact]
    public async Task By_similarity_a_label_takes_the_closest_key_its_value_fits_and_running_text_takes_none()
    {
        // "Client details" is closer to the customer number (0.76) than to the bill-to (0.66); its value is a name.
        var annotations = await Annotate("mixed.txt",
            "Client details: Contoso Ltd, 1 Main Street, Springfield\nAddress: URL of a static IP address reservation. For example: projects/example\n" +
            "conditions: an etag is returned in the response of a describe command\n");

        var pairs = annotations.KeyValues!.Pairs;
        var billTo = pairs.Single(p => p.Label == "Client details");
        Assert.Equal(("bill-to", KeyValueItem.SimilarityMatch), (billTo.Key, billTo.KeyMatch));
        Assert.All(pairs.Where(p => p != billTo), p => Assert.Null(p.Key));
        Assert.Equal(["Client details", "Address", "conditions"], pairs.Select(p => p.Label));
    }

    [Fact]
    public async Task Labels_in_other_scripts_are_found_with_their_values()
    {
        var annotations = await Annotate("scripts.txt", "請求書番号: 4471\nНомер счёта: 100482\nرقم الفاتورة: 2291\n");

        var pairs = annotations.KeyValues!.Pairs;
        Assert.Equal(["請求書番号", "Номер счёта", "رقم الفاتورة"], pairs.Select(p => p.Label));
        Assert.Equal(["4471", "100482", "2291"], pairs.Select(p => p.Value));
    }

    [Fact]
    public async Task Sentences_with_a_colon_and_paragraph_long_labels_are_not_pairs()
    {
        var paragraph = string.Join(' ', Enumerable.Repeat("the committee discussed the budget at length", 400)) + ": 2024";
        var annotations = await Annotate("minutes.txt",
            paragraph + "\n\nPlease note the following: the office will be closed on Friday because the heating is being repaired by the landlord next week.\n");

        Assert.Empty(annotations.KeyValues!.Pairs);
    }

    [Fact]
    public async Task A_huge_sheet_of_labels_is_read_only_as_far_as_the_bounds_and_says_so()
    {
        var csv = new StringBuilder("Field,Value\n");
        for (var i = 0; i < 50_000; i++)
        {
            csv.Append("Invoice No.,").Append(i).Append('\n');
        }
        // One line of a hundred thousand colons: a line is read only as far as its first tokens.
        csv.Append('"').Append(string.Concat(Enumerable.Repeat("a: ", 100_000))).Append("\",x\n");

        var annotations = await Annotate("labels.csv", csv.ToString(), maxPairs: 100);

        Assert.Equal(100, annotations.KeyValues!.Pairs.Count);
        Assert.Contains(annotations.Notices, n => n.Code == "key-values-truncated");
        Assert.Equal("ran", annotations.Runs.Single(r => r.Name == "key-values").Status);
    }

    [Theory]
    [InlineData("Lieferant: Nordlicht Elektro\nRechnungsnummer 2024-0117\n", "Nordlicht Elektro", IssuerAnnotation.LabelMethod)]
    [InlineData("Invoice\n\nGlobex Ltd · 1 Main Road · Leeds LS1 1AA\n\nContoso Retail Inc.\n4 Side Street\n", "Globex Ltd", IssuerAnnotation.SenderLineMethod)]
    [InlineData("Rechnung\n\nRechnungsempfänger: Beispiel Handels AG\n\nVielen Dank für Ihren Auftrag.\n\nNordlicht Elektro GmbH, USt-IdNr. DE136695976\n", "Nordlicht Elektro GmbH", IssuerAnnotation.HeaderMethod)]
    [InlineData("Facture\n\nMerci de votre confiance.\n\nTVA FR40303265045\n", "FR40303265045", IssuerAnnotation.VatIdMethod)]
    [InlineData("Invoice 100482\n\nQuestions? Write to billing@acme-tools.example or to jane@gmail.com\n", "acme-tools.example", IssuerAnnotation.EmailDomainMethod)]
    public async Task The_issuer_is_taken_from_the_best_clue_and_says_which(string text, string name, string method)
    {
        var issuer = (await Annotate("letter.txt", text)).KeyValues!.Issuer;

        Assert.NotNull(issuer);
        Assert.Equal((name, method), (issuer.Name, issuer.Method));
    }

    [Fact]
    public async Task The_recipient_under_its_label_is_never_the_issuer()
    {
        var issuer = (await Annotate("letter.txt", "Bill to:\nContoso Retail Inc.\n\nThank you for your order.\n")).KeyValues!.Issuer;

        Assert.Null(issuer);
    }

    [Fact]
    public async Task A_header_over_rows_of_data_is_no_pair_and_a_column_of_labels_beside_values_is()
    {
        var data = await Annotate("people.csv", "Numbers,Names\n1,Alice\n2,Bob\n3,Carol\n");
        var form = await Annotate("form.csv", "Customer,Contoso Retail\nContact,Jane Doe\n");

        Assert.Empty(data.KeyValues!.Pairs);
        Assert.Equal([("Customer", "Contoso Retail", "A1", "B1"), ("Contact", "Jane Doe", "A2", "B2")],
            form.KeyValues!.Pairs.Select(p => (p.Label, p.Value, p.LabelLocation.Cell!, p.Location.Cell!)));
    }

    [Fact]
    public async Task A_users_schema_is_filled_by_what_its_fields_mean_each_value_in_the_type_asked()
    {
        var annotations = await Annotate("bill.txt", "Invoice No.: 100482\nTotal: 1,200.00 EUR\nDue date: 14 April 2024\nKind: 3\n", profile: "user");

        var extraction = annotations.Extraction!;
        Assert.Equal("100482", (string?)extraction.Values["docId"]);
        Assert.Equal(1200L, (long?)extraction.Values["amount"]);
        Assert.Equal("2024-04-14", (string?)extraction.Values["dueOn"]);
        Assert.False(extraction.Values.ContainsKey("kind"), "a value outside the enum is not filled");
        Assert.False(extraction.Values.ContainsKey("notes"), "arrays are left to the model");
        Assert.Equal(["/docId", "/amount", "/dueOn"], extraction.Fields.Select(f => f.Path));
        Assert.All(extraction.Fields, f => Assert.Equal(0, f.Location!.Block));
    }

    [Fact]
    public async Task Without_a_schema_or_with_a_model_extraction_in_place_no_schema_is_filled()
    {
        var annotations = await Annotate("memo.txt", "Invoice No.: 100482\n");

        Assert.Null(annotations.Extraction);
        Assert.Single(annotations.KeyValues!.Pairs);
    }

    private static async Task<AnnotationSet> Annotate(string name, string content, int maxPairs = 1000, string profile = "kv")
    {
        using var dir = new TempDir();
        var path = dir.File(name);
        await File.WriteAllTextAsync(path, content);
        var result = await Pipeline(maxPairs).RunAsync(new AnnotationRequest
        {
            DocumentId = "kv-hostile",
            Source = new DocumentSource(path, name),
            OutputDirectory = dir.File("out"),
            Profile = profile,
        }, CancellationToken.None);
        return result.Annotations;
    }
}
