using Annotate.Annotators.Embeddings;

namespace Annotate.Annotators.Tests.Embeddings;

public class EncoderTextTests
{
    [Theory]
    [InlineData("Größe  und\tFAÇADE", "große und facade")]
    [InlineData("发票号码", "发 票 号 码")]
    [InlineData("  \n ", "")]
    public void Prepare_lower_cases_strips_accents_and_spaces_ideographs(string text, string expected) =>
        Assert.Equal(expected, EncoderText.Prepare(text, 1000));

    [Fact]
    public void Prepare_cuts_text_beyond_the_bound() =>
        Assert.Equal(10, EncoderText.Prepare(new string('a', 1_000_000), 10).Length);

    [Fact]
    public void Windows_never_cut_inside_a_word_and_stay_within_the_limit()
    {
        string[] pieces = ["the", "in", "##vo", "##ice", "number", "is", "123", "##45", "[UNK]", "and", "more"];

        var windows = EncoderText.Windows(pieces, 3, 10);

        Assert.Equal(["the", "invoice", "number is", "12345", "and more"], windows.Select(w => w.Text));
        Assert.All(windows, w => Assert.InRange(w.Tokens, 1, 3));
        Assert.Equal(pieces.Length, windows.Sum(w => w.Tokens));
    }

    [Fact]
    public void Windows_stop_at_the_bound() =>
        Assert.Equal(3, EncoderText.Windows(Enumerable.Repeat("word", 100).ToList(), 5, 3).Count);

    [Fact]
    public void Cosine_of_a_vector_with_itself_is_one_with_an_orthogonal_zero_and_with_the_zero_vector_zero()
    {
        float[] a = [3, 4], b = [-4, 3], zero = [0, 0];

        Assert.Equal(1f, Vectors.Cosine(a, a), 5);
        Assert.Equal(0f, Vectors.Cosine(a, b), 5);
        Assert.Equal(0f, Vectors.Cosine(a, zero));
        Assert.Equal(0f, Vectors.Cosine(a, [1f, 2f, 3f]));
        Assert.Equal([0.6f, 0.8f], Vectors.Normalize(a));
    }
}
