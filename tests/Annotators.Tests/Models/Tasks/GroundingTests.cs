using System.Text.Json.Nodes;
using Annotate.Annotators.Annotations;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Models.Tasks;

namespace Annotate.Annotators.Tests.Models.Tasks;

public class GroundingTests
{
    private static readonly Document Invoice = new()
    {
        FileName = "invoice.txt",
        Format = SourceFormat.Text,
        Blocks =
        [
            new HeadingBlock(1, "INVOICE  No. INV-2024-117") { Location = SourceLocation.AtLine(1) },
            new ParagraphBlock("Issued on 15 March 2024 by Acme\n  Trading Ltd. Total due: 1.234,50 EUR by 15.04.2024.") { Location = SourceLocation.AtLine(3) },
            new TableBlock
            {
                Name = "Items",
                Columns = ["Item", "Amount", "Date"],
                HasHeaderRow = true,
                Location = SourceLocation.InSheet("Items", "A1"),
                Rows = new InMemoryRows(
                [
                    new TableRow(2, [CellValue.FromText("Consulting"), CellValue.FromNumber(1000), CellValue.FromDateTime(new DateTime(2024, 3, 1))]),
                    new TableRow(3, [CellValue.FromText("Travel"), CellValue.FromText("234,5"), CellValue.Empty]),
                ]),
            },
        ],
    };

    private static ExtractedField Ground(JsonNode value) =>
        Assert.Single(new Grounding().Ground(Invoice, new JsonObject { ["v"] = value }));

    [Fact]
    public void A_number_is_found_whatever_notation_the_text_uses()
    {
        var field = Ground(JsonValue.Create(1234.5m));
        Assert.True(field.Grounded);
        Assert.Equal(ExtractedField.GroundedStatus, field.Status);
        Assert.Equal("1.234,50", field.Text);
        Assert.Equal(1, field.Location!.Block);
        Assert.Equal(((ParagraphBlock)Invoice.Blocks[1]).Content.IndexOf("1.234,50", StringComparison.Ordinal), field.Location.Offset);
    }

    [Theory]
    [InlineData("1,234.50")]
    [InlineData("1234.5")]
    [InlineData("1 234,50")]
    public void A_number_written_as_text_is_found_too(string text)
    {
        Assert.True(Ground(JsonValue.Create(text)).Grounded);
    }

    [Fact]
    public void Numbers_in_cells_match_by_value_and_point_at_the_cell()
    {
        var amount = Ground(JsonValue.Create(1000));
        Assert.True(amount.Grounded);
        Assert.Equal("Items", amount.Location!.Sheet);
        Assert.Equal("B2", amount.Location.Cell);

        var travel = Ground(JsonValue.Create(234.5));
        Assert.Equal("B3", travel.Location!.Cell);
    }

    [Theory]
    [InlineData("2024-03-15", 1, null)]
    [InlineData("2024-04-15", 1, null)]
    [InlineData("2024-03-01", 2, "C2")]
    public void Dates_match_across_formats(string iso, int block, string? cell)
    {
        var field = Ground(JsonValue.Create(iso));
        Assert.True(field.Grounded, iso);
        Assert.Equal(block, field.Location!.Block);
        Assert.Equal(cell, field.Location.Cell);
    }

    [Fact]
    public void Case_and_white_space_do_not_matter_and_the_location_spans_the_original_text()
    {
        var field = Ground(JsonValue.Create("acme trading LTD"));
        Assert.True(field.Grounded);
        Assert.Equal("Acme\n  Trading Ltd", field.Text);
        var paragraph = ((ParagraphBlock)Invoice.Blocks[1]).Content;
        Assert.Equal(field.Text, paragraph.Substring(field.Location!.Offset!.Value, field.Location.Length!.Value));

        Assert.True(Ground(JsonValue.Create("inv-2024-117")).Grounded);
    }

    [Theory]
    [InlineData("Globex Corporation")]
    [InlineData("2024-03-16")]
    [InlineData("99.99")]
    [InlineData("5")]
    public void A_value_absent_from_the_text_is_ungrounded(string value)
    {
        var field = Ground(JsonValue.Create(value));
        Assert.False(field.Grounded);
        Assert.Equal(ExtractedField.UngroundedStatus, field.Status);
        Assert.Null(field.Location);
    }

    [Fact]
    public void Nested_leaves_get_json_pointers_nulls_are_skipped_and_booleans_are_unverifiable()
    {
        var values = new JsonObject
        {
            ["seller"] = "Acme Trading Ltd",
            ["buyer"] = null,
            ["paid"] = true,
            ["lineItems"] = new JsonArray(new JsonObject { ["description"] = "Travel", ["amount"] = 234.5 }),
        };

        var fields = new Grounding().Ground(Invoice, values);

        Assert.Equal(["/seller", "/paid", "/lineItems/0/description", "/lineItems/0/amount"], fields.Select(f => f.Path));
        Assert.Equal(ExtractedField.UnverifiableStatus, fields[1].Status);
        Assert.False(fields[1].Grounded);
        Assert.True(fields[2].Grounded);
        Assert.Equal("A3", fields[2].Location!.Cell);
    }

    [Fact]
    public void Number_readings_cover_the_ambiguous_thousands_separator()
    {
        Assert.Equal([1.234m, 1234m], Grounding.NumberReadings("1,234").Order());
        Assert.Equal([1234.5m], Grounding.NumberReadings("1.234,50"));
        Assert.Equal([-1234567.89m], Grounding.NumberReadings("-1,234,567.89"));
        Assert.Equal([12.5m], Grounding.NumberReadings("12,5"));
    }
}
