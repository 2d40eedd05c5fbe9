using Annotate.Annotators.Models.Download;

namespace Annotate.Annotators.Tests.Models.Download;

public class ModelCatalogTests
{
    [Fact]
    public void The_built_in_catalogue_lists_small_instruct_models_with_https_urls_and_well_formed_hashes()
    {
        var catalog = ModelCatalog.BuiltIn;

        Assert.Equal(
            ["qwen2.5-0.5b-instruct", "qwen2.5-1.5b-instruct", "llama-3.2-1b-instruct", "llama-3.2-3b-instruct", "phi-3.5-mini-instruct"],
            catalog.Entries.Select(e => e.Name));
        Assert.All(catalog.Entries, e =>
        {
            Assert.StartsWith("https://huggingface.co/", e.Url);
            Assert.Contains("/resolve/main/", e.Url);
            Assert.EndsWith(".gguf", e.FileName);
            Assert.True(e.Sha256 is null || e.Sha256.Length == 64, e.Name);
            Assert.False(string.IsNullOrWhiteSpace(e.License));
            Assert.NotEmpty(e.Description);
        });
    }

    [Fact]
    public void Names_resolve_ignoring_case()
    {
        var entry = ModelCatalog.BuiltIn.Resolve("Qwen2.5-0.5B-Instruct");

        Assert.Equal("qwen2.5-0.5b-instruct", entry.Name);
        Assert.Equal("qwen2.5-0.5b-instruct-q4_k_m.gguf", entry.FileName);
    }

    [Fact]
    public void A_url_resolves_to_an_entry_named_after_its_file_with_no_hash()
    {
        var entry = new ModelCatalog([]).Resolve("https://example.org/models/My%20Model-Q4_K_M.gguf?download=true");

        Assert.Equal("My Model-Q4_K_M.gguf", entry.FileName);
        Assert.Null(entry.Sha256);
        Assert.Null(entry.SizeBytes);
    }

    [Theory]
    [InlineData("ftp://example.org/model.gguf")]
    [InlineData("not a model")]
    [InlineData("")]
    public void Anything_else_fails_with_the_list_of_names(string nameOrUrl)
    {
        var catalog = new ModelCatalog([new ModelCatalogEntry { Name = "tiny", Url = "https://example.org/tiny.gguf" }]);

        var error = Assert.Throws<ModelDownloadException>(() => catalog.Resolve(nameOrUrl));

        Assert.Contains("Catalogue names: tiny", error.Message);
    }

    [Fact]
    public void A_url_without_a_file_name_is_refused()
    {
        var error = Assert.Throws<ModelDownloadException>(() => new ModelCatalog([]).Resolve("https://example.org/"));

        Assert.Contains("Cannot derive a file name", error.Message);
    }

    [Fact]
    public void Duplicate_names_and_malformed_hashes_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new ModelCatalog(
        [
            new ModelCatalogEntry { Name = "a", Url = "https://example.org/a.gguf" },
            new ModelCatalogEntry { Name = "A", Url = "https://example.org/b.gguf" },
        ]));
        Assert.Throws<ArgumentException>(() => new ModelCatalog(
            [new ModelCatalogEntry { Name = "a", Url = "https://example.org/a.gguf", Sha256 = "ABC" }]));
    }
}
