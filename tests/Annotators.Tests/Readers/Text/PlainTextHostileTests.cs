using System.Text;
using Annotate.Annotators.Documents;
using Annotate.Annotators.Readers.Text;

namespace Annotate.Annotators.Tests.Readers.Text;

public class PlainTextHostileTests
{
    [Fact]
    public void A_list_item_continued_over_a_hundred_thousand_lines_is_read_whole()
    {
        // Each indented line continues the item above; joining them one by one used to copy the item again per line.
        const int lines = 100_000;
        var text = new StringBuilder("- first item\n");
        for (var i = 0; i < lines; i++)
        {
            text.Append("  continued ").Append(i).Append('\n');
        }

        var blocks = PlainTextReader.Parse(text.ToString(), CancellationToken.None);

        var list = Assert.IsType<ListBlock>(Assert.Single(blocks));
        var item = Assert.Single(list.Items);
        Assert.StartsWith("first item continued 0 continued 1 ", item, StringComparison.Ordinal);
        Assert.EndsWith($" continued {lines - 1}", item, StringComparison.Ordinal);
    }
}
