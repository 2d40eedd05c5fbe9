using Annotate.Hosting.Blobs;

namespace Annotate.Hosting.Tests.Blobs;

public sealed class BlobKeysTests
{
    [Theory]
    [InlineData("sources/0193/invoice.pdf")]
    [InlineData("outputs/doc-1/annotations.json")]
    [InlineData("results/documents/doc-1.json")]
    [InlineData("sources")]
    [InlineData("sources/a b/ünïcödé.txt")]
    [InlineData("sources/.hidden/..name..")]
    public void IsValid_accepts_slash_separated_printable_names(string key) => Assert.True(BlobKeys.IsValid(key));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("/")]
    [InlineData("/sources/a")]
    [InlineData("sources/a/")]
    [InlineData("sources//a")]
    [InlineData("sources/./a")]
    [InlineData("sources/../outputs/a")]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("sources/a\\..\\..\\etc")]
    [InlineData("sources/a\0b")]
    [InlineData("sources/a\nb")]
    [InlineData("sources/a\u007fb")]
    [InlineData("sources/a\u0085b")]
    public void IsValid_refuses_keys_that_could_name_another_place(string? key) => Assert.False(BlobKeys.IsValid(key));

    [Fact]
    public void IsValid_allows_1024_characters_and_no_more()
    {
        var longest = "sources/" + new string('a', 1024 - "sources/".Length);
        Assert.True(BlobKeys.IsValid(longest));
        Assert.False(BlobKeys.IsValid(longest + "a"));
    }

    [Theory]
    [InlineData("", true)]
    [InlineData("sources/", true)]
    [InlineData("sources/doc-1/", true)]
    [InlineData("sources/doc", true)]
    [InlineData("sources//", false)]
    [InlineData("/", false)]
    [InlineData("../", false)]
    [InlineData("sources/../", false)]
    public void IsValidPrefix_takes_a_key_with_an_optional_trailing_slash(string prefix, bool valid) =>
        Assert.Equal(valid, BlobKeys.IsValidPrefix(prefix));

    [Fact]
    public void Check_returns_a_valid_key_and_throws_for_an_invalid_one()
    {
        Assert.Equal("sources/a/b", BlobKeys.Check("sources/a/b"));
        Assert.Throws<ArgumentException>(() => BlobKeys.Check("sources/../b"));
    }

    [Fact]
    public void Source_and_output_keys_follow_the_layout()
    {
        Assert.Equal("sources/doc-1/report.pdf", BlobKeys.Source("doc-1", "report.pdf"));
        Assert.Equal("outputs/doc-1/", BlobKeys.OutputPrefix("doc-1"));
    }

    [Fact]
    public void Content_keys_name_a_sha256_in_lower_case()
    {
        var hash = new string('A', 32) + new string('0', 32);

        Assert.Equal("content/sha256/" + hash.ToLowerInvariant(), BlobKeys.ContentOf(hash));
        Assert.Equal(hash.ToLowerInvariant(), BlobKeys.Sha256Of(BlobKeys.ContentOf(hash)));
        Assert.Null(BlobKeys.Sha256Of("content/sha256/" + hash));
        Assert.Null(BlobKeys.Sha256Of("content/sha256/abc"));
        Assert.Null(BlobKeys.Sha256Of("sources/doc-1/" + hash.ToLowerInvariant()));
        Assert.Throws<ArgumentException>(() => BlobKeys.ContentOf("not-a-hash"));
        Assert.Throws<ArgumentException>(() => BlobKeys.ContentOf(new string('g', 64)));
    }
}
