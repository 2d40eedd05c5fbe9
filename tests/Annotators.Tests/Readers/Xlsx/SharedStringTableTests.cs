using System.Security;
using System.Text;
using System.Xml;
using Annotate.Annotators.Readers.Xlsx;

namespace Annotate.Annotators.Tests.Readers.Xlsx;

public class SharedStringTableTests
{
    private static readonly string[] Strings =
    [
        "", "Tea", "Grüße aus Köln", "日本語のテキスト", "emoji 🙂 pair", new string('x', 5000), "a < b & c", "  spaced  ",
        .. Enumerable.Range(0, 3000).Select(i => $"row {i} – {new string((char)('a' + (i % 26)), i % 97)}"),
    ];

    private static XmlReader Part(IEnumerable<string> strings)
    {
        var xml = new StringBuilder($"<sst xmlns=\"{SpreadsheetNamespaces.Transitional}\">");
        foreach (var text in strings)
        {
            xml.Append("<si><t xml:space=\"preserve\">").Append(SecurityElement.Escape(text)).Append("</t></si>");
        }
        xml.Append("<si><r><t>Rich </t></r><r><t>text</t></r><rPh><t>phonetic</t></rPh></si></sst>");
        return XmlReader.Create(new StringReader(xml.ToString()), new XmlReaderSettings { IgnoreWhitespace = true });
    }

    [Theory]
    [InlineData(SharedStringTable.MemoryBytes)]
    [InlineData(10_000)]
    public void Every_string_reads_back_as_written_whether_kept_in_memory_or_moved_to_a_file(long memoryBytes)
    {
        var table = SharedStringTable.Read(Part(Strings), memoryBytes);

        Assert.Equal(memoryBytes < SharedStringTable.MemoryBytes, table.Spilled);
        Assert.Equal(Strings.Length + 1, table.Count);
        for (var i = 0; i < Strings.Length; i++)
        {
            Assert.Equal(Strings[i], table[i]);
        }
        Assert.Equal("Rich text", table[Strings.Length]);
        // Read again out of order, past the cache.
        for (var i = Strings.Length - 1; i >= 0; i -= 7)
        {
            Assert.Equal(Strings[i], table[i]);
        }
        Assert.Equal(0, table.TruncatedCount);
    }
}
