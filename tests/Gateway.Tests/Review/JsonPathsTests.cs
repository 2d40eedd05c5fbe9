using System.Text.Json.Nodes;
using Annotate.Gateway.Review;

namespace Annotate.Gateway.Tests.Review;

public sealed class JsonPathsTests
{
    [Fact]
    public void Set_reaches_names_nested_objects_and_array_items()
    {
        var root = JsonNode.Parse("""{"total": 1, "seller": {"name": "A"}, "lines": [{"amount": 1}, {"amount": 2}]}""")!.AsObject();

        Assert.True(JsonPaths.Set(root, "total", 5));
        Assert.True(JsonPaths.Set(root, "seller.name", "B"));
        Assert.True(JsonPaths.Set(root, "lines[1].amount", 7));

        Assert.Equal("""{"total":5,"seller":{"name":"B"},"lines":[{"amount":1},{"amount":7}]}""", root.ToJsonString());
    }

    [Fact]
    public void Set_reaches_the_json_pointers_annotations_json_names_fields_by()
    {
        var root = JsonNode.Parse("""{"total": 1, "seller": {"name": "A"}, "lines": [{"amount": 1}, {"amount": 2}], "a/b": 0}""")!.AsObject();

        Assert.True(JsonPaths.Set(root, "/total", 5));
        Assert.True(JsonPaths.Set(root, "/seller/name", "B"));
        Assert.True(JsonPaths.Set(root, "/lines/1/amount", 7));
        Assert.True(JsonPaths.Set(root, "/a~1b", 3));

        Assert.Equal("""{"total":5,"seller":{"name":"B"},"lines":[{"amount":1},{"amount":7}],"a/b":3}""", root.ToJsonString());
    }

    [Theory]
    [InlineData("/lines/9/amount")]
    [InlineData("/seller/address/city")]
    [InlineData("lines[9].amount")]
    [InlineData("seller.address.city")]
    [InlineData("lines[x]")]
    [InlineData("lines[1")]
    [InlineData("")]
    public void Set_says_false_for_a_path_that_leads_nowhere(string path)
    {
        var root = JsonNode.Parse("""{"seller": {"name": "A"}, "lines": [{"amount": 1}]}""")!.AsObject();
        var before = root.ToJsonString();

        Assert.False(JsonPaths.Set(root, path, 1));
        Assert.Equal(before, root.ToJsonString());
    }
}
