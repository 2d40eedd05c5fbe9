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
        // Longer in UTF-8 than a block of the table (64 KiB): each spans two or three.
        new string('ü', 32_767), string.Concat(Enumerable.Repeat("日本", 16_000)), "after the long ones",
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

    [Fact]
    public void A_small_table_is_cached_whole_by_a_scan_of_its_own_size()
    {
        // 300 strings: the scan's cache has 256 sets of two entries, so every string keeps its entry.
        var table = SharedStringTable.Read(Part([.. Enumerable.Range(0, 300).Select(i => $"value {i}")]));
        var strings = table.Scan();
        var first = Enumerable.Range(0, 300).Select(i => strings[i]).ToArray();

        Assert.All(Enumerable.Range(0, 300), i => Assert.Same(first[i], strings[i]));
        Assert.Equal("value 299", strings[299]);
    }

    [Fact]
    public async Task Repeated_strings_stay_cached_in_a_scan_while_strings_that_occur_once_pass_by_on_both_threads()
    {
        // A sheet's rows: a name from eight (indexes 0–7, written first) and a note of its own (8 onwards), whose
        // indexes fall into the names' cache sets again and again.
        const int rows = 60_000;
        string[] names = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Stark", "Wayne", "Wonka"];
        var table = SharedStringTable.Read(Part([.. names, .. Enumerable.Range(0, rows).Select(r => $"Note for row {r}")]));

        // Two scans at once, as the annotators and writers scan a sheet side by side, each with its own cache.
        var scans = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            var strings = table.Scan();
            var first = new string?[names.Length];
            var fresh = 0;
            for (var r = 0; r < rows; r++)
            {
                var name = strings[r % names.Length];
                Assert.Equal(names[r % names.Length], name);
                fresh += ReferenceEquals(name, first[r % names.Length] ??= name) ? 0 : 1;
                Assert.Equal($"Note for row {r}", strings[names.Length + r]);
            }
            return fresh;
        })).ToArray();
        var fresh = await Task.WhenAll(scans);

        // Every name came from the scan's cache after its first decode, though 60,000 notes went through it.
        Assert.Equal([0, 0], fresh);
        // The table itself decodes on each call.
        Assert.False(ReferenceEquals(table[0], table[0]));
    }
}
