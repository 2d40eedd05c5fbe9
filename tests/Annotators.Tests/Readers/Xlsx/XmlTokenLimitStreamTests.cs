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
}
