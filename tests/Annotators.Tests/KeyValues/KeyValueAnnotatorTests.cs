using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Builtin;
using Annotate.Annotators.KeyValues;
using Annotate.Annotators.Models.Tasks;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.KeyValues;

/// <summary>
/// Generated invoices in English, German and French, written as PDF, DOCX and XLSX, run through the real pipeline with no
/// model: the pairs, their keys, the filled invoice schema and the issuer.
/// </summary>
public class KeyValueAnnotatorTests
{
    private static readonly IDocumentPipeline Pipeline = new ServiceCollection()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Annotate:Profiles:kv:Annotators:0"] = "patterns",
            ["Annotate:Profiles:kv:Annotators:1"] = "key-values",
            ["Annotate:Profiles:kv:Annotators:2"] = "extraction",
            ["Annotate:Profiles:kv:ExtractionSchema"] = "builtin:invoice.schema.json",
        }).Build())
        .AddLogging()
        .AddAnnotators()
        .BuildServiceProvider()
        .GetRequiredService<IDocumentPipeline>();

    public static TheoryData<string, string> Invoices()
    {
        var data = new TheoryData<string, string>();
        foreach (var format in new[] { "pdf", "docx", "xlsx" })
        {
            foreach (var language in new[] { "en", "de", "fr" })
            {
                data.Add(format, language);
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Invoices))]
    public async Task Every_labelled_field_is_found_with_its_normalised_key(string format, string language)
    {
        var invoice = InvoiceText.For(language);
        var (result, _) = await Annotate(format, invoice);

        var pairs = result.Annotations.KeyValues!.Pairs;
        foreach (var (key, field) in invoice.Keyed)
        {
            var expected = field.Value;
            // A workbook holds what looks like a date or a number as one: its value reads as the written one.
            var pair = pairs.FirstOrDefault(p => p.Label == field.Label && (p.Value == expected || (format == "xlsx" && SameReading(expected, p.Value))));
            Assert.True(pair is not null, $"{format}/{language}: no pair '{field.Label}' → '{expected}' among {Describe(pairs)}");
            Assert.Equal(key, pair.Key);
        }
    }

    [Theory]
    [MemberData(nameof(Invoices))]
    public async Task The_issuer_is_the_sender_not_the_recipient(string format, string language)
    {
        var invoice = InvoiceText.For(language);
        var (result, _) = await Annotate(format, invoice);

        var issuer = result.Annotations.KeyValues!.Issuer;
        Assert.NotNull(issuer);
        Assert.Equal(invoice.Issuer, issuer.Name);
        Assert.Equal(IssuerAnnotation.HeaderMethod, issuer.Method);
        Assert.Equal(invoice.VatId.Value, issuer.VatId);
        Assert.NotEqual(invoice.Recipient, issuer.Name);
    }

    [Theory]
    [MemberData(nameof(Invoices))]
    public async Task Without_a_model_the_invoice_schema_is_filled_from_the_pairs_each_value_located(string format, string language)
    {
        var invoice = InvoiceText.For(language);
        var (result, json) = await Annotate(format, invoice);

        var extraction = result.Annotations.Extraction!;
        Assert.Equal("key-values", extraction.Annotator);
        Assert.Equal("none", extraction.Provenance.Model);
        var values = extraction.Values;
        Assert.Equal(invoice.Number.Value, (string?)values["invoiceNumber"]);
        Assert.Equal("2024-03-15", (string?)values["issueDate"]);
        Assert.Equal("2024-04-14", (string?)values["dueDate"]);
        Assert.Equal(invoice.Issuer, (string?)values["seller"]);
        var (net, vat, gross) = language == "de" ? (1000m, 190m, 1190m) : (1000m, 200m, 1200m);
        Assert.Equal(net, (decimal?)values["netTotal"]);
        Assert.Equal(vat, (decimal?)values["taxTotal"]);
        Assert.Equal(gross, (decimal?)values["grossTotal"]);
        Assert.Equal(language == "en" ? "GBP" : "EUR", (string?)values["currency"]);
        Assert.All(extraction.Fields, f =>
        {
            Assert.True(f.Grounded);
            Assert.NotNull(f.Location);
            Assert.NotNull(f.FoundBy);
        });
        var number = extraction.Fields.Single(f => f.Path == "/invoiceNumber");
        Assert.Equal("key-value:invoice-number", number.FoundBy);
        Assert.Equal(invoice.Number.Value, number.Text);
        if (format == "pdf")
        {
            Assert.Equal(1, number.Location!.Page);
            Assert.NotNull(number.Location.Box);
        }
        else
        {
            Assert.True(number.Location!.Block is not null, "located in a block");
        }
        Assert.Empty(AnnotationsSchema.Validate(json));
    }

    [Fact]
    public async Task Pdf_pairs_carry_the_page_and_the_box_of_label_and_value_and_how_they_stand()
    {
        var (result, _) = await Annotate("pdf", InvoiceText.English);

        var pairs = result.Annotations.KeyValues!.Pairs;
        var order = pairs.Single(p => p.Key == "order-number");
        Assert.Equal(PairLayouts.Below, order.Layout);
        Assert.True(order.LabelLocation.Box!.Value.Bottom > order.Location.Box!.Value.Top, "the label stands above its value");
        Assert.InRange(order.Location.Box.Value.Left, 49, 51);
        var total = pairs.Single(p => p.Key == "total");
        Assert.Equal(PairLayouts.Beside, total.Layout);
        Assert.True(total.Location.Box!.Value.Left > total.LabelLocation.Box!.Value.Right, "the value stands to the right of its label");
        Assert.Equal(PairLayouts.Inline, pairs.Single(p => p.Key == "invoice-number").Layout);
        // The line items' header labels no values: "Amount" over two amounts is a column, not a pair.
        Assert.DoesNotContain(pairs, p => p.Label is "Description" or "Amount" or "Qty");
        Assert.Contains(pairs, p => p is { Key: "bill-to", Value: "Contoso Retail Inc.", Layout: PairLayouts.Below });
    }

    [Fact]
    public async Task Table_pairs_point_at_their_cells()
    {
        var (result, _) = await Annotate("xlsx", InvoiceText.German);

        var pairs = result.Annotations.KeyValues!.Pairs;
        var number = pairs.Single(p => p.Key == "invoice-number");
        Assert.Equal((PairLayouts.CellRight, "A6", "B6"), (number.Layout, number.LabelLocation.Cell, number.Location.Cell));
        var customer = pairs.Single(p => p.Key == "customer-number");
        Assert.Equal((PairLayouts.CellBelow, "B9", "B10"), (customer.Layout, customer.LabelLocation.Cell, customer.Location.Cell));
        Assert.Equal("RECHNUNG", customer.Location.Sheet);
        // Line items are rows of data, not labels and values.
        Assert.DoesNotContain(pairs, p => p.Label is "Beratungsleistung" or "Reisekosten" or "Beschreibung");
    }

    private static readonly EntityRecognizer Recognizer = new(Options.Create(new PatternOptions()));

    private static bool SameReading(string written, string stored)
    {
        var dates = Recognizer.Find(written).Where(e => e.Type == "date").Select(e => e.Value).ToList();
        if (dates.Count > 0)
        {
            return dates.Contains(stored);
        }
        return Grounding.NumberReadings(stored).Intersect(Grounding.NumberReadings(written.Trim('€', ' '))).Any();
    }

    private static string Describe(IEnumerable<KeyValueItem> pairs) => string.Join("; ", pairs.Select(p => $"'{p.Label}'={p.Key ?? "?"}→'{p.Value}' ({p.Layout})"));

    private static async Task<(AnnotationResult Result, JsonNode Json)> Annotate(string format, InvoiceText invoice)
    {
        using var dir = new TempDir();
        var name = $"invoice-{invoice.Language}.{format}";
        var path = dir.File(name);
        switch (format)
        {
            case "pdf": TestInvoices.Pdf(invoice, path); break;
            case "docx": TestInvoices.Docx(invoice, path); break;
            default: TestInvoices.Xlsx(invoice, path); break;
        }
        var result = await Pipeline.RunAsync(new AnnotationRequest
        {
            DocumentId = "kv-" + invoice.Language,
            Source = new DocumentSource(path, name),
            OutputDirectory = dir.File("out"),
            Profile = "kv",
        }, CancellationToken.None);
        var run = result.Annotations.Runs.Single(r => r.Name == "key-values");
        Assert.True(run.Status == "ran", $"key-values {run.Status}: {run.Reason}");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir.File("out"), "annotations.json")))!;
        return (result, json);
    }
}
