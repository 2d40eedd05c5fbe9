using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Annotators.Writers.Json;
using Annotate.Gateway.Tests.Support;
using MimeKit;

namespace Annotate.Gateway.Tests.EndToEnd;

/// <summary>
/// Documents inside documents, through the real gateway and worker in one process: an e-mail's attachments and a ZIP's
/// entries each annotated as a document of their own, linked to their parent in the API and in annotations.json.
/// </summary>
public sealed class ContainerEndToEndTests
{
    [Fact]
    public async Task An_email_with_a_pdf_and_a_workbook_attached_completes_with_its_headers_and_two_children_that_complete_on_their_own()
    {
        await using var host = new GatewayHost();
        var pdf = Shared.Corpus("pdf/pdflatex-4-pages.pdf");
        var xlsx = Shared.Corpus("xlsx/UsingTables.xlsx");
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Jane Doe", "jane@acme.example"));
        message.To.Add(new MailboxAddress("Bob Miller", "bob@customer.example"));
        message.Subject = "Invoice 2024-0042 and price list";
        message.MessageId = "inv-42@acme.example";
        message.Date = new DateTimeOffset(2024, 3, 15, 9, 30, 0, TimeSpan.FromHours(1));
        var body = new BodyBuilder
        {
            TextBody = "Dear Bob,\n\nplease find the invoice and our price list attached.\n\nJane\n",
            HtmlBody = "<html><body><p>Dear Bob, please find the <b>invoice</b> attached.</p></body></html>",
        };
        body.Attachments.Add(pdf);
        body.Attachments.Add(xlsx);
        message.Body = body.ToMessageBody();
        var path = Path.Combine(host.Root, "invoice-mail.eml");
        await message.WriteToAsync(path);

        var id = await host.UploadAsync(path);
        var parent = await host.WaitUntilFinishedAsync(id);

        Assert.Equal("Completed", parent.GetProperty("state").GetString());
        var annotations = await AnnotationsOf(host, id);
        Assert.Empty(AnnotationsSchema.Validate(annotations));
        Assert.Equal("eml", (string?)annotations["source"]!["format"]);
        var email = annotations["properties"]!["email"]!;
        Assert.Equal("Invoice 2024-0042 and price list", (string?)email["subject"]);
        Assert.Equal("Jane Doe <jane@acme.example>", (string?)email["from"]![0]);
        Assert.Equal("Bob Miller <bob@customer.example>", (string?)email["to"]![0]);
        Assert.Equal("inv-42@acme.example", (string?)email["messageId"]);
        Assert.Contains("please find the invoice and our price list attached", await File.ReadAllTextAsync(Path.Combine(host.Outbox, id, "content.md")));

        var children = await ChildrenAsync(host, parent);
        Assert.Equal(["pdflatex-4-pages.pdf", "UsingTables.xlsx"], children.Select(c => c.GetProperty("fileName").GetString()));
        var parts = annotations["parts"]!.AsArray();
        Assert.Equal(children.Select(c => c.GetProperty("id").GetString()), parts.Select(p => (string?)p!["documentId"]));
        foreach (var (child, original) in children.Zip([pdf, xlsx]))
        {
            var childId = child.GetProperty("id").GetString()!;
            Assert.Equal("Completed", child.GetProperty("state").GetString());
            Assert.Equal(id, child.GetProperty("parentId").GetString());
            Assert.Equal(1, child.GetProperty("depth").GetInt32());
            Assert.Equal(new FileInfo(original).Length, child.GetProperty("sizeBytes").GetInt64());
            var childAnnotations = await AnnotationsOf(host, childId);
            Assert.Equal(id, (string?)childAnnotations["parent"]!["documentId"]);
            Assert.Equal(child.GetProperty("sha256").GetString(), (string?)parts.Single(p => (string?)p!["documentId"] == childId)!["sha256"]);
        }
        Assert.Equal(4, (int?)(await AnnotationsOf(host, children[0].GetProperty("id").GetString()!))["properties"]!["pageCount"]);
        Assert.Contains("| FName | LName |", await File.ReadAllTextAsync(Path.Combine(host.Outbox, children[1].GetProperty("id").GetString()!, "content.md")));

        var listed = await host.Client.GetFromJsonAsync<JsonElement>($"/api/documents?parent={id}");
        Assert.Equal(children.Select(c => c.GetProperty("id").GetString()), listed.EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/documents?parent=no-such-document")).StatusCode);
    }

    [Fact]
    public async Task A_zip_of_three_entries_completes_and_an_entry_that_fails_fails_alone_with_isolation_off()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Worker:Isolation:Enabled"] = "false" });
        var path = Path.Combine(host.Root, "batch.zip");
        ZipOf(path, zip =>
        {
            Add(zip, "notes/memo.md", "# Memo\n\nPlease pay invoice 42 by 2024-04-30.\n");
            Add(zip, "prices.csv", "model,price\nP-100,1250\nP-200,2400\n");
            Add(zip, "broken.pdf", "%PDF-1.7\nthis is no PDF at all");
        });

        var id = await host.UploadAsync(path);
        var parent = await host.WaitUntilFinishedAsync(id);

        Assert.Equal("Completed", parent.GetProperty("state").GetString());
        var children = await ChildrenAsync(host, parent);
        Assert.Equal(["memo.md", "prices.csv", "broken.pdf"], children.Select(c => c.GetProperty("fileName").GetString()));
        Assert.Equal(["Completed", "Completed", "Failed"], children.Select(c => c.GetProperty("state").GetString()));
        Assert.Equal("corrupt", children[2].GetProperty("reason").GetString());
        Assert.Contains("broken.pdf", children[2].GetProperty("message").GetString());
        var content = await File.ReadAllTextAsync(Path.Combine(host.Outbox, id, "content.md"));
        Assert.Contains("notes/memo.md (", content);
        Assert.Contains("prices.csv (", content);
        Assert.Equal(id, (string?)(await AnnotationsOf(host, children[1].GetProperty("id").GetString()!))["parent"]!["documentId"]);
        // The parent's own view still says Completed once every child has finished.
        Assert.Equal("Completed", (await host.WaitUntilFinishedAsync(id)).GetProperty("state").GetString());
    }

    [Fact]
    public async Task A_bomb_too_many_entries_and_too_deep_a_nesting_each_get_their_notice_and_the_parent_completes()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?>
        {
            ["Annotate:Readers:MaxCompressionRatio"] = "100",
            ["Annotate:Containers:MaxParts"] = "4",
            ["Annotate:Containers:MaxDepth"] = "1",
        });
        var inner = new MemoryStream();
        using (var zip = new ZipArchive(inner, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "deep.txt", "Two levels down.");
        }
        var path = Path.Combine(host.Root, "hostile.zip");
        ZipOf(path, zip =>
        {
            using (var bomb = zip.CreateEntry("zeros.bin", CompressionLevel.SmallestSize).Open())
            {
                bomb.Write(new byte[8 * 1024 * 1024]);
            }
            using (var nested = zip.CreateEntry("inner.zip").Open())
            {
                nested.Write(inner.ToArray());
            }
            for (var i = 1; i <= 5; i++)
            {
                Add(zip, $"note{i}.txt", $"Note number {i}.");
            }
        });

        var id = await host.UploadAsync(path);
        var parent = await host.WaitUntilFinishedAsync(id);

        Assert.Equal("Completed", parent.GetProperty("state").GetString());
        var notice = Notice(await AnnotationsOf(host, id), "parts-skipped");
        Assert.Contains("'zeros.bin'", notice);
        Assert.Contains("MaxCompressionRatio", notice);
        Assert.Contains("'note4.txt' (more than 4 files (Annotate:Containers:MaxParts))", notice);
        Assert.Contains("'note5.txt'", notice);
        var children = await ChildrenAsync(host, parent);
        Assert.Equal(["inner.zip", "note1.txt", "note2.txt", "note3.txt"], children.Select(c => c.GetProperty("fileName").GetString()));
        Assert.All(children, c => Assert.Equal("Completed", c.GetProperty("state").GetString()));
        var nested = children[0];
        Assert.Empty(nested.GetProperty("children").EnumerateArray());
        Assert.Contains("'deep.txt'", Notice(await AnnotationsOf(host, nested.GetProperty("id").GetString()!), "parts-too-deep"));
    }

    /// <summary>The parent's children, each once it has finished (children are recorded before their parent completes).</summary>
    private static async Task<List<JsonElement>> ChildrenAsync(GatewayHost host, JsonElement parent)
    {
        var id = parent.GetProperty("id").GetString()!;
        var view = await host.Client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}");
        var children = new List<JsonElement>();
        foreach (var child in view.GetProperty("children").EnumerateArray())
        {
            children.Add(await host.WaitUntilFinishedAsync(child.GetProperty("id").GetString()!));
        }
        return children;
    }

    private static async Task<JsonNode> AnnotationsOf(GatewayHost host, string id) =>
        JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(host.Outbox, id, "annotations.json")))!;

    private static string Notice(JsonNode annotations, string code) =>
        (string)annotations["notices"]!.AsArray().Single(n => (string?)n!["code"] == code)!["message"]!;

    private static void ZipOf(string path, Action<ZipArchive> fill)
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        fill(zip);
    }

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        writer.Write(text);
    }
}
