using Annotate.Annotators.Pipeline;
using Annotate.Annotators.Readers;

namespace Annotate.Annotators.Tests.Pipeline;

public class ServerPathsTests
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "annotate data", "blobs", "0123");
    private static readonly DocumentSource Source = new(Path.Combine(Folder, "Invoice 7.pdf"), "Invoice 7.pdf");

    [Fact]
    public void The_source_path_becomes_the_file_name()
    {
        var message = ServerPaths.Hide($"Could not find file '{Source.Path}'.", Source);

        Assert.Equal("Could not find file 'Invoice 7.pdf'.", message);
    }

    [Fact]
    public void The_source_as_an_escaped_or_unescaped_file_uri_becomes_the_file_name()
    {
        var uri = new Uri(Source.Path).AbsoluteUri;
        Assert.Contains("%20", uri);

        Assert.Equal("cannot open Invoice 7.pdf", ServerPaths.Hide($"cannot open {uri}", Source));
        Assert.Equal("cannot open Invoice 7.pdf", ServerPaths.Hide($"cannot open {Uri.UnescapeDataString(uri)}", Source));
    }

    [Fact]
    public void Another_file_in_the_source_folder_keeps_only_its_name_and_the_bare_folder_is_not_shown()
    {
        var message = ServerPaths.Hide($"Access to '{Path.Combine(Folder, "lock.tmp")}' in {Folder} is denied.", Source);

        Assert.Equal("Access to 'lock.tmp' in the folder of 'Invoice 7.pdf' is denied.", message);
        Assert.DoesNotContain("annotate data", message);
    }

    [Fact]
    public void A_path_that_only_starts_like_the_folder_is_left_alone()
    {
        var other = Folder + "4";

        Assert.Equal($"see {other}.", ServerPaths.Hide($"see {other}.", Source));
    }

    [Fact]
    public void Replace_names_a_folder_as_asked_and_keeps_the_part_below_it()
    {
        var outbox = Path.Combine(Path.GetTempPath(), "annotate data", "outbox");

        var message = ServerPaths.Replace($"Access to the path '{Path.Combine(outbox, "0123.partial", "content.md")}' is denied.", outbox, "outbox");

        Assert.Equal("Access to the path '0123.partial/content.md' is denied.".Replace('/', Path.DirectorySeparatorChar), message);
    }

    [Fact]
    public void A_file_system_root_is_never_replaced()
    {
        var root = Path.GetPathRoot(Path.GetTempPath())!;

        Assert.Equal("a/b and c/d", ServerPaths.Replace("a/b and c/d", root, "x"));
    }

    [Fact]
    public void A_message_without_the_path_is_unchanged()
    {
        Assert.Equal("'Invoice 7.pdf' is empty (0 bytes).", ServerPaths.Hide("'Invoice 7.pdf' is empty (0 bytes).", Source));
    }

    [Fact]
    public void A_path_at_the_end_of_a_message_is_replaced()
    {
        Assert.Equal("not a GGUF model file (the first bytes are not 'GGUF'): broken.gguf",
            ServerPaths.Replace("not a GGUF model file (the first bytes are not 'GGUF'): /tmp/a-b/c1/broken.gguf", "/tmp/a-b/c1/broken.gguf", "broken.gguf"));
    }
}
