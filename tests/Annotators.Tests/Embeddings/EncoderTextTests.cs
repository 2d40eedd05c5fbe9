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

    [Theory]
    [InlineData(3)]
    [InlineData(13)]
    [InlineData(384)]
    [InlineData(385)]
    public void Cosine_sums_lanes_at_a_time_to_what_one_product_after_another_gives(int length)
    {
        var random = new Random(length);
        for (var pair = 0; pair < 200; pair++)
        {
            var a = Enumerable.Range(0, length).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
            var b = Enumerable.Range(0, length).Select(i => (pair % 2 == 0 ? a[i] : 0f) + (float)((random.NextDouble() * 2) - 1)).ToArray();
            double dot = 0, normA = 0, normB = 0;
            for (var i = 0; i < length; i++)
            {
                dot += a[i] * b[i];
                normA += a[i] * a[i];
                normB += b[i] * b[i];
            }
            // The same to the last bits of a double: the single-precision results agree but where a sum's last bit
            // crosses a float's rounding point.
            Assert.Equal((float)(dot / Math.Sqrt(normA * normB)), Vectors.Cosine(a, b), 1e-6f);
        }
    }

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
