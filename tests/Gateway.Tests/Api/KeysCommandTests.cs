using System.Text.RegularExpressions;
using Annotate.Gateway.Api;

namespace Annotate.Gateway.Tests.Api;

public sealed class KeysCommandTests
{
    [Fact]
    public void Keys_new_prints_a_fresh_key_and_the_setting_holding_its_hash_only()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        Assert.Equal(0, KeysCommand.TryRun(["keys", "new", "acme"], output, error));

        var text = output.ToString();
        var key = Regex.Match(text, @"^  ([A-Za-z0-9_-]{43})$", RegexOptions.Multiline).Groups[1].Value;
        Assert.NotEmpty(key);
        Assert.Contains($"Annotate__Gateway__ApiKeys__{ApiKeys.Hash(key)}=acme", text);
        using var again = new StringWriter();
        KeysCommand.TryRun(["keys", "new", "acme"], again, error);
        Assert.DoesNotContain(key, again.ToString());
    }

    [Theory]
    [InlineData("keys")]
    [InlineData("keys new")]
    [InlineData("keys new ../etc")]
    public void Keys_without_a_valid_tenant_name_prints_the_usage_and_fails(string command)
    {
        using var error = new StringWriter();

        Assert.Equal(2, KeysCommand.TryRun(command.Split(' '), TextWriter.Null, error));
        Assert.Contains("Usage: keys new <tenant>", error.ToString());
    }

    [Fact]
    public void Other_arguments_start_the_host()
    {
        Assert.Null(KeysCommand.TryRun(["--urls", "http://localhost:5000"], TextWriter.Null, TextWriter.Null));
    }
}
