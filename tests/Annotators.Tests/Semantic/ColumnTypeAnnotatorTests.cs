using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Profiles;
using Annotate.Annotators.Readers;
using Annotate.Annotators.Readers.Text;
using Annotate.Annotators.Readers.Xlsx;
using Annotate.Annotators.Semantic;
using Annotate.Annotators.Semantic.Columns;
using Annotate.Annotators.Tests.Embeddings;
using Annotate.Annotators.Tests.Support;
using Annotate.Annotators.Writers.Json;
using Microsoft.Extensions.Options;
using Xunit.Abstractions;

namespace Annotate.Annotators.Tests.Semantic;

[Collection(EmbedderCollection.Name)]
public class ColumnTypeAnnotatorTests(EmbedderFixture fixture, ITestOutputHelper output)
{
    private readonly ColumnTypeAnnotator _annotator = new(fixture.Embedder, Options.Create(new SemanticOptions()));

    private async Task<List<ColumnTypeAnnotation>> TypesOf(string path, IDocumentReader reader)
    {
        var document = await reader.ReadAsync(new DocumentSource(path, Path.GetFileName(path)), CancellationToken.None);
        var context = new AnnotationContext("doc-1", document, new AnnotationProfile());
        Assert.Equal(AnnotatorOutcome.Done, await _annotator.AnnotateAsync(context, CancellationToken.None));
        return context.Annotations.ColumnTypes;
    }

    private async Task<List<(ColumnTypeWorkbooks.Column Expected, ColumnTypeAnnotation Found)>> LabelledSet()
    {
        using var dir = new TempDir();
        var sets = new List<(IReadOnlyList<ColumnTypeWorkbooks.Column> Columns, List<ColumnTypeAnnotation> Found)>();
        var xlsx = dir.File("orders.xlsx");
        ColumnTypeWorkbooks.WriteWorkbook(xlsx, ColumnTypeWorkbooks.English, ColumnTypeWorkbooks.Unnamed);
        sets.Add(([.. ColumnTypeWorkbooks.English, .. ColumnTypeWorkbooks.Unnamed], await TypesOf(xlsx, new XlsxReader(Options.Create(new ReaderOptions())))));
        foreach (var (name, columns, delimiter, header) in new[]
        {
            ("kunden.csv", ColumnTypeWorkbooks.German, ';', true),
            ("clients.csv", ColumnTypeWorkbooks.French, ';', true),
            ("export.csv", ColumnTypeWorkbooks.Headerless, ',', false),
        })
        {
            var csv = dir.File(name);
            ColumnTypeWorkbooks.WriteCsv(csv, columns, delimiter, header);
            sets.Add((columns, await TypesOf(csv, new DelimitedTextReader())));
        }
        var pairs = new List<(ColumnTypeWorkbooks.Column, ColumnTypeAnnotation)>();
        foreach (var (columns, found) in sets)
        {
            Assert.Equal(columns.Count, found.Count);
            pairs.AddRange(columns.Zip(found));
        }
        foreach (var (expected, found) in pairs)
        {
            output.WriteLine($"{(expected.Type == found.Type ? "  " : "XX")} {expected.Header,-20} expected {expected.Type,-12} found {found.Type,-12} {found.Score:F2} {found.Method} ({found.HeaderMatch}) h={found.HeaderScore:F2} v={found.ValueScore:F2} | {string.Join(", ", found.Alternatives.Select(a => $"{a.Label} {a.Score:F2}"))}");
        }
        return pairs;
    }

    [Fact]
    public async Task At_least_80_percent_of_a_labelled_set_of_english_german_and_french_columns_get_their_type()
    {
        var pairs = await LabelledSet();

        Assert.True(pairs.Count >= 30, $"{pairs.Count} columns");
        var correct = pairs.Count(p => p.Expected.Type == p.Found.Type);
        output.WriteLine($"{correct} of {pairs.Count} correct ({(double)correct / pairs.Count:P0})");
        Assert.True(correct >= 0.8 * pairs.Count, $"{correct} of {pairs.Count} correct");
    }

    [Fact]
    public async Task Every_email_date_and_price_column_of_the_labelled_set_is_typed_exactly()
    {
        var pairs = await LabelledSet();

        var obvious = pairs.Where(p => p.Expected.Type is ColumnTypeVocabulary.Email or ColumnTypeVocabulary.Date or ColumnTypeVocabulary.Amount).ToList();
        Assert.Equal(14, obvious.Count);
        Assert.All(obvious, p => Assert.Equal(p.Expected.Type, p.Found.Type));
    }

    [Fact]
    public async Task Each_type_says_how_it_was_found_and_points_at_the_sampled_cells()
    {
        var pairs = await LabelledSet();

        var preis = pairs.Single(p => p.Expected.Header == "Preis").Found;
        Assert.Equal("header+values", preis.Method);
        Assert.Equal("name", preis.HeaderMatch);
        Assert.Equal("L2:L25", preis.Location!.Cell);
        Assert.Equal(ColumnTypeWorkbooks.Rows, preis.Sampled);
        var headerless = pairs.First(p => p.Expected.Header.Length == 0).Found;
        Assert.Equal("values", headerless.Method);
        Assert.Null(headerless.HeaderMatch);
        var email = pairs.Single(p => p.Expected.Header == "Email").Found;
        Assert.Equal("Orders", email.Sheet);
        Assert.Equal("D2:D25", email.Location!.Cell);
        Assert.All(pairs, p => Assert.InRange(p.Found.Score, 0, 1));
        Assert.All(pairs, p => Assert.DoesNotContain(p.Found.Alternatives, a => a.Label == p.Found.Type));
    }

    [Theory]
    [InlineData("Client organisation", "company")]
    [InlineData("Recipient name", "person-name")]
    [InlineData("Mobile no.", "phone")]
    [InlineData("Einzelpreis", "amount")]
    [InlineData("Stückzahl", "quantity")]
    [InlineData("E-Mail-Adresse", "email")]
    [InlineData("Telefonnummer", "phone")]
    [InlineData("Lieferdatum", "date")]
    [InlineData("Cost per unit", "amount")]
    [InlineData("Ordered on", "date")]
    [InlineData("Buyer's full name", "person-name")]
    [InlineData("Street and house number", "address")]
    [InlineData("Homepage", "url")]
    [InlineData("Nation", "country")]
    [InlineData("Item description", "free-text")]
    [InlineData("Units sold", "quantity")]
    [InlineData("Seller", "company")]
    [InlineData("Surname", "person-name")]
    [InlineData("Tax share", "percentage")]
    [InlineData("Record key", "identifier")]
    [InlineData("Product group", "category")]
    [InlineData("Part no.", "product-code")]
    [InlineData("Invoiced amount", "amount")]
    [InlineData("Birthday", "date")]
    [InlineData("Shipping destination", "address")]
    [InlineData("Herkunftsland", "country")]
    [InlineData("Steuersatz", "percentage")]
    [InlineData("Legal entity", "company")]
    [InlineData("Fax", "phone")]
    [InlineData("Remarks by the driver", "free-text")]
    [InlineData("Pieces", "quantity")]
    [InlineData("Web link", "url")]
    public void A_header_alone_names_its_type_by_its_words_or_its_meaning(string header, string expected)
    {
        var named = ColumnTypeVocabulary.TypesNamedBy(header);
        output.WriteLine($"{header}: named {string.Join(",", named.Keys)}");
        if (named.Count > 0)
        {
            // A tie ("Street and house number": street, number) is left to the values.
            Assert.Contains(expected, named.Where(n => n.Value == named.Values.Max()).Select(n => n.Key));
            return;
        }
        var descriptions = ColumnTypeVocabulary.Types.SelectMany(t => ColumnTypeVocabulary.Descriptions[t].Select(d => (t, d))).ToList();
        var vectors = fixture.Embedder.Embed([header, .. descriptions.Select(d => d.d)]);
        var best = descriptions.Select((d, i) => (d.t, Score: Annotate.Annotators.Embeddings.Vectors.Cosine(vectors[0], vectors[i + 1]))).MaxBy(d => d.Score);
        output.WriteLine($"{header}: {best.t} {best.Score:F3}");
        Assert.Equal(expected, best.t);
    }

    [Fact]
    public async Task A_streamed_table_of_endless_rows_is_read_no_further_than_the_sample()
    {
        var read = 0L;
        IEnumerable<TableRow> Endless()
        {
            for (var n = 2L; ; n++)
            {
                read++;
                yield return new TableRow(n, [CellValue.FromText($"user{n}@example.com"), CellValue.FromNumber(n)]);
            }
        }
        var table = new TableBlock
        {
            Name = "Big",
            Columns = ["E-Mail", "Menge"],
            HasHeaderRow = true,
            Location = SourceLocation.InSheet("Big", "A1"),
            Rows = new StreamedRows(Endless, count: null),
        };
        var document = new Document { FileName = "big.xlsx", Format = SourceFormat.Xlsx, Blocks = [table] };
        var context = new AnnotationContext("doc-1", document, new AnnotationProfile());
        var annotator = new ColumnTypeAnnotator(fixture.Embedder, Options.Create(new SemanticOptions { ColumnTypeSampleRows = 50 }));

        await annotator.AnnotateAsync(context, CancellationToken.None);

        Assert.InRange(read, 50, 51);
        Assert.Equal(["email", "quantity"], context.Annotations.ColumnTypes.Select(t => t.Type));
        Assert.Equal("A2:A51", context.Annotations.ColumnTypes[0].Location!.Cell);
    }

    [Fact]
    public async Task A_document_with_more_columns_than_the_limit_types_the_first_and_says_so()
    {
        var table = new TableBlock
        {
            Columns = Enumerable.Range(1, 30).Select(i => $"Column {i}").ToList(),
            HasHeaderRow = true,
            Location = SourceLocation.InSheet("Wide", "A1"),
            Rows = new InMemoryRows([new TableRow(2, Enumerable.Range(1, 30).Select(i => CellValue.FromNumber(i)).ToList())]),
        };
        var context = new AnnotationContext("doc-1", new Document { FileName = "wide.xlsx", Format = SourceFormat.Xlsx, Blocks = [table] }, new AnnotationProfile());
        var annotator = new ColumnTypeAnnotator(fixture.Embedder, Options.Create(new SemanticOptions { MaxTypedColumns = 12 }));

        await annotator.AnnotateAsync(context, CancellationToken.None);

        Assert.Equal(12, context.Annotations.ColumnTypes.Count);
        Assert.Contains(context.Annotations.Notices, n => n.Code == "column-types-truncated");
    }

    [Fact]
    public async Task Through_the_pipeline_each_column_profile_carries_its_type_and_annotations_json_validates()
    {
        using var dir = new TempDir();
        var csv = dir.File("kunden.csv");
        ColumnTypeWorkbooks.WriteCsv(csv, ColumnTypeWorkbooks.German, ';');

        var result = await TestPipeline.Create().RunAsync(new Annotators.Pipeline.AnnotationRequest
        {
            DocumentId = "doc-1",
            Source = new DocumentSource(csv, "kunden.csv"),
            OutputDirectory = dir.File("out"),
        }, CancellationToken.None);

        var json = JsonNode.Parse(await File.ReadAllTextAsync(dir.File("out/annotations.json")))!;
        Assert.Empty(AnnotationsSchema.Validate(json));
        Assert.Equal("ran", result.Annotations.Runs.Single(r => r.Name == "column-types").Status);
        var columns = json["columns"]!.AsArray();
        Assert.Equal(ColumnTypeWorkbooks.German.Count, columns.Count);
        Assert.Equal("email", (string?)columns.Single(c => (string?)c!["header"] == "E-Mail")!["semanticType"]);
        Assert.Equal(columns.Count, json["columnTypes"]!.AsArray().Count);
    }
}
