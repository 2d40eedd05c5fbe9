using Annotate.Hosting.Blobs;

namespace Annotate.Hosting.Tests.Blobs;

public sealed class BlobReferenceTests
{
    [Theory]
    [InlineData("sources/doc-1/report.pdf", "blob:sources/doc-1/report.pdf")]
    [InlineData("outputs/doc-1/", "blob:outputs/doc-1/")]
    public void For_makes_a_blob_reference_and_keeps_a_prefix_slash(string key, string reference) =>
        Assert.Equal(reference, BlobReference.For(key));

    [Theory]
    [InlineData("sources/../x")]
    [InlineData("")]
    [InlineData("/")]
    public void For_refuses_invalid_keys(string key) => Assert.Throws<ArgumentException>(() => BlobReference.For(key));

    [Theory]
    [InlineData("blob:sources/doc-1/report.pdf", "sources/doc-1/report.pdf")]
    [InlineData("blob:outputs/custom/", "outputs/custom/")]
    [InlineData("BLOB:sources/a", "sources/a")]
    public void KeyOf_returns_the_key_of_a_valid_reference(string reference, string key) =>
        Assert.Equal(key, BlobReference.KeyOf(reference));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("blob:")]
    [InlineData("blob:/")]
    [InlineData("blob:../")]
    [InlineData("blob:sources/../../etc/passwd")]
    [InlineData("blob:sources//a")]
    [InlineData("blob:/sources/a")]
    [InlineData("blob:sources\\a")]
    [InlineData("file:///data/blobs/sources/a")]
    [InlineData("sources/a")]
    public void KeyOf_is_null_for_anything_but_a_valid_reference(string? reference) => Assert.Null(BlobReference.KeyOf(reference));

    [Theory]
    [InlineData("blob:sources/a", true)]
    [InlineData("Blob:../", true)]
    [InlineData("file:///a", false)]
    [InlineData(null, false)]
    public void IsBlob_looks_at_the_scheme_only(string? reference, bool expected) => Assert.Equal(expected, BlobReference.IsBlob(reference));

    [Fact]
    public void A_reference_round_trips_to_its_key()
    {
        const string key = "sources/0193/invoice 2024.pdf";
        Assert.Equal(key, BlobReference.KeyOf(BlobReference.For(key)));
    }
}
