using System.Text;
using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers.Xlsx;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

public class XmlTokenLimitStreamTests
{
    private static string Pass(string xml, long limit)
    {
        using var stream = new XmlTokenLimitStream(new MemoryStream(Encoding.UTF8.GetBytes(xml)), limit, "book.xlsx", "xl/worksheets/sheet1.xml");
        using var reader = new StreamReader(stream, bufferSize: 7);
        return reader.ReadToEnd();
    }

    [Fact]
    public void Xml_whose_tokens_stay_under_the_limit_passes_unchanged()
    {
        var xml = "<?xml version=\"1.0\"?><!-- a 'quote\" and > inside --><root a=\"x > y\" b='it''s'><![CDATA[ <not a tag> \" ]]><c>Grüße ☕</c></root>";
        var longText = "<root>" + string.Concat(Enumerable.Repeat("<v>" + new string('1', 50) + "</v>", 100)) + "</root>";

        Assert.Equal(xml, Pass(xml, 80));
        Assert.Equal(longText, Pass(longText, 80));
    }

    [Theory]
    [InlineData("attribute", "<root><c r=\"{0}\"/></root>")]
    [InlineData("attribute hiding '>' in quotes", "<root><c r=\"{1}\"/></root>")]
    [InlineData("text", "<root><v>{0}</v></root>")]
    [InlineData("whitespace", "<root>{2}<v>1</v></root>")]
    [InlineData("comment hiding tag-like text", "<root><!--{3}--></root>")]
    public void One_token_past_the_limit_fails_too_large_naming_file_and_part(string what, string template)
    {
        var xml = string.Format(System.Globalization.CultureInfo.InvariantCulture, template,
            new string('A', 500), string.Concat(Enumerable.Repeat("a>b", 200)), new string(' ', 500), string.Concat(Enumerable.Repeat("<x", 200)));

        var ex = Assert.Throws<AnnotationException>(() => Pass(xml, 300));

        Assert.Equal(FailureReason.TooLarge, ex.Reason);
        Assert.Contains("'book.xlsx'", ex.Message);
        Assert.Contains("'xl/worksheets/sheet1.xml'", ex.Message);
        Assert.False(string.IsNullOrEmpty(what));
    }

    /// <summary>
    /// The longest token as the stream measures it, one byte at a time: text up to a '&lt;', a tag from '&lt;' to '&gt;'
    /// with its quoted values, a comment, CDATA section or processing instruction up to its end.
    /// </summary>
    private static long LongestToken(byte[] xml)
    {
        long longest = 0, run = 0;
        var state = 'T';
        byte quote = 0, previous = 0, beforePrevious = 0;
        foreach (var b in xml)
        {
            switch (state)
            {
                case 'T' when b == '<':
                    longest = Math.Max(longest, run);
                    (state, run) = ('O', 1);
                    break;
                case 'T':
                    run++;
                    break;
                case 'O':
                    run++;
                    state = b is (byte)'!' or (byte)'?' ? 'M' : b == '>' ? 'T' : 'G';
                    (beforePrevious, previous) = ((byte)'<', b);
                    break;
                case 'G':
                    run++;
                    if (b == '>')
                    {
                        longest = Math.Max(longest, run);
                        (state, run) = ('T', 0);
                    }
                    else if (b is (byte)'"' or (byte)'\'')
                    {
                        (state, quote) = ('Q', b);
                    }
                    break;
                case 'Q':
                    run++;
                    state = b == quote ? 'G' : 'Q';
                    break;
                default:
                    run++;
                    if (b == '>' && ((previous == '-' && beforePrevious == '-') || (previous == ']' && beforePrevious == ']') || previous == '?'))
                    {
                        longest = Math.Max(longest, run);
                        (state, run) = ('T', 0);
                    }
                    (beforePrevious, previous) = (previous, b);
                    break;
            }
        }
        return Math.Max(longest, run);
    }

    private static void ReadAll(byte[] xml, long limit, int chunk)
    {
        using var stream = new XmlTokenLimitStream(new MemoryStream(xml), limit, "book.xlsx", "xl/worksheets/sheet1.xml");
        var buffer = new byte[chunk];
        while (stream.Read(buffer, 0, chunk) > 0)
        {
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(64)]
    [InlineData(4096)]
    public void The_limit_falls_exactly_at_the_longest_token_however_the_bytes_arrive(int chunk)
    {
        var random = new Random(chunk);
        string Run(int max) => new('x', random.Next(max));
        for (var sample = 0; sample < 300; sample++)
        {
            // Short values (a sheet's usual) and long ones, on both sides of the 16 bytes looked at one by one.
            var max = random.Next(2) == 0 ? 20 : 200;
            var xml = new StringBuilder("<worksheet>");
            for (var cell = random.Next(1, 12); cell > 0; cell--)
            {
                xml.Append(random.Next(5) switch
                {
                    0 => $"<c r=\"{Run(max)}\" t='{Run(max)}'><v>{Run(max)}</v></c>",
                    1 => $"<is><t xml:space=\"preserve\">{Run(max)} > {Run(max)}</t></is>",
                    2 => $"<!--{Run(max)}<c r=\"x\">--><?pi {Run(max)}?>",
                    3 => $"<![CDATA[{Run(max)}<v>]]>{Run(max)}",
                    _ => $"<f a='{Run(max)}>{Run(max)}' b=\"\"/>{Run(max)}",
                });
            }
            var bytes = Encoding.UTF8.GetBytes(xml.Append("</worksheet>").ToString());
            var longest = LongestToken(bytes);

            ReadAll(bytes, longest, chunk);
            var ex = Assert.Throws<AnnotationException>(() => ReadAll(bytes, longest - 1, chunk));
            Assert.Equal(FailureReason.TooLarge, ex.Reason);
        }
    }
}
