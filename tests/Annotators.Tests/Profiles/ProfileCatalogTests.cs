using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Profiles;
using Microsoft.Extensions.Options;

namespace Annotate.Annotators.Tests.Profiles;

public class ProfileCatalogTests
{
    private static ProfileCatalog Catalog(Dictionary<string, AnnotationProfile>? configured = null) =>
        new(Options.Create(new ProfileOptions { Profiles = configured ?? new(StringComparer.OrdinalIgnoreCase) }));

    [Fact]
    public void Built_in_profiles_are_available_with_their_schemas()
    {
        var catalog = Catalog();

        Assert.Equal(["contract", "cv", "default", "finetune", "invoice", "spreadsheet-rows"], catalog.Names);
        var invoice = catalog.Get("Invoice");
        Assert.Equal("invoice", invoice.Name);
        var schema = ProfileCatalog.LoadSchema(invoice.ExtractionSchema!);
        Assert.Equal("object", (string?)schema["type"]);
        Assert.NotNull(schema["properties"]?["grossTotal"]);
        Assert.Equal(2, catalog.Get("spreadsheet-rows").RowFields.Count);
        Assert.Equal(3, catalog.Get("finetune").QaPairsPerChunk);
        Assert.All(catalog.Names.Select(catalog.Get).Where(p => p.ExtractionSchema is not null), p => ProfileCatalog.LoadSchema(p.ExtractionSchema!));
    }

    [Fact]
    public void Configuration_adds_profiles_and_replaces_built_in_ones()
    {
        var catalog = Catalog(new(StringComparer.OrdinalIgnoreCase)
        {
            ["invoice"] = new AnnotationProfile { Taxonomy = ["bill"] },
            ["purchase-order"] = new AnnotationProfile { ExtractionSchema = """{"type":"object","properties":{"po":{"type":"string"}},"required":["po"]}""" },
        });

        Assert.Equal(["bill"], catalog.Get("invoice").Taxonomy);
        Assert.Null(catalog.Get("invoice").ExtractionSchema);
        Assert.Equal("purchase-order", catalog.Get("PURCHASE-ORDER").Name);
        Assert.Equal("string", (string?)ProfileCatalog.LoadSchema(catalog.Get("purchase-order").ExtractionSchema!)["properties"]!["po"]!["type"]);
    }

    [Fact]
    public void Unknown_profile_fails_as_invalid_request_listing_the_known_ones()
    {
        var ex = Assert.Throws<AnnotationException>(() => Catalog().Get("nope"));
        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
        Assert.Contains("invoice", ex.Message);
    }

    [Theory]
    [InlineData("invoices", "invoice")]
    [InlineData("Invoice", "invoice")]
    [InlineData("contracts", "contract")]
    [InlineData("cv", "cv")]
    [InlineData("holiday-photos", null)]
    public void Inbox_folders_map_to_profiles(string folder, string? profile) =>
        Assert.Equal(profile, Catalog().ForFolder(folder));

    [Fact]
    public void Fingerprint_changes_with_what_shapes_results_but_not_with_the_description()
    {
        var a = new AnnotationProfile { Name = "x", Taxonomy = ["a", "b"] };
        var b = new AnnotationProfile { Name = "x", Taxonomy = ["a", "b"], Description = "other words" };
        var c = new AnnotationProfile { Name = "x", Taxonomy = ["a", "c"] };

        Assert.Equal(a.Fingerprint(), b.Fingerprint());
        Assert.NotEqual(a.Fingerprint(), c.Fingerprint());
        Assert.Equal(16, a.Fingerprint().Length);
    }

    [Fact]
    public void Unreadable_schema_fails_as_invalid_request()
    {
        var ex = Assert.Throws<AnnotationException>(() => ProfileCatalog.LoadSchema("/no/such/schema.json"));
        Assert.Equal(FailureReason.InvalidRequest, ex.Reason);
    }
}
