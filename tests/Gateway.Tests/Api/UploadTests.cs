using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Api;

/// <summary>What an upload may hold: several files, types told from the bytes, sizes that hold whatever the request says, names that stay labels.</summary>
public sealed class UploadTests
{
    [Fact]
    public async Task Several_file_parts_make_one_document_each_and_the_answer_lists_them()
    {
        await using var host = new GatewayHost();
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("# One\n\nFirst memo.\n"u8.ToArray()), "file", "one.md" },
            { new ByteArrayContent("Second note, plain text.\n"u8.ToArray()), "file", "two.txt" },
            { new ByteArrayContent("name,amount\nPaper,12.50\n"u8.ToArray()), "file", "three.csv" },
        };

        using var response = await host.Client.PostAsync("/api/documents", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = (await response.Content.ReadFromJsonAsync<UploadAccepted>())!;
        Assert.Equal(["one.md", "two.txt", "three.csv"], body.Documents.Select(d => d.FileName));
        Assert.Equal(3, body.Documents.Select(d => d.Id).Distinct().Count());
        Assert.Equal(body.Documents[0].Id, body.Id);
        Assert.Equal($"/api/documents/{body.Id}", response.Headers.Location?.ToString());
        foreach (var document in body.Documents)
        {
            Assert.Equal("Completed", (await host.WaitUntilFinishedAsync(document.Id)).GetProperty("state").GetString());
        }
    }

    public static TheoryData<string, byte[], string> NotDocuments => new()
    {
        // Any other ZIP is an archive of documents, accepted (see ContainerEndToEndTests); a binary workbook is not.
        { "report.pdf", ZipOf("xl/workbook.bin", "binary"), "unsupported-format" },
        { "report.pdf", RandomBytes(), "unknown-format" },
        { "sheet.xlsx", RandomBytes(), "unknown-format" },
        { "notes.txt", ZipOf("xl/workbook.bin", "<x/>"), "unsupported-format" },
    };

    [Theory]
    [MemberData(nameof(NotDocuments))]
    public async Task A_file_whose_bytes_are_not_an_accepted_format_is_415_whatever_its_name_and_Content_Type_say(string name, byte[] bytes, string reason)
    {
        await using var host = new GatewayHost();
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(name.EndsWith(".pdf", StringComparison.Ordinal) ? "application/pdf" : "text/plain");
        using var form = new MultipartFormDataContent { { content, "file", name } };

        using var response = await host.Client.PostAsync("/api/documents", form);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Contains(name, problem.GetProperty("detail").GetString());
        Assert.Empty(await host.Services.GetRequiredService<IDocumentStore>().ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_format_left_out_of_the_allow_list_is_415_and_one_refused_file_refuses_the_whole_upload()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Api:AllowedFormats:0"] = "Markdown" });
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("# Fine\n\nA memo.\n"u8.ToArray()), "file", "fine.md" },
            { new ByteArrayContent("name,amount\nPaper,12.50\nInk,3.10\n"u8.ToArray()), "file", "table.csv" },
        };

        using var response = await host.Client.PostAsync("/api/documents", form);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("format-not-allowed", problem.GetProperty("reason").GetString());
        Assert.Contains("table.csv", problem.GetProperty("detail").GetString());
        Assert.Empty(await host.Services.GetRequiredService<IDocumentStore>().ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task A_text_file_named_pdf_is_accepted_as_the_text_it_is()
    {
        await using var host = new GatewayHost();
        var content = new ByteArrayContent("Just a note, not a PDF.\n"u8.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        using var form = new MultipartFormDataContent { { content, "file", "note.pdf" } };

        using var response = await host.Client.PostAsync("/api/documents", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task A_chunked_upload_without_a_length_over_the_limit_is_413_and_stores_nothing()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Readers:MaxDocumentBytes"] = "1000" });
        using var client = StreamingClient(host);
        // A stream of unknown length: the client sends it chunked, with no Content-Length.
        var body = Multipart(("big.txt", new string('a', 200_000)));
        using var content = new StreamContent(new UnseekableStream(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");

        using var response = await client.PostAsync("/api/documents", content);

        Assert.Null(content.Headers.ContentLength);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("too-large", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("reason").GetString());
        Assert.Empty(await host.Services.GetRequiredService<IDocumentStore>().ListAsync(10, CancellationToken.None));
    }

    [Fact]
    public async Task An_upload_that_declares_fewer_bytes_than_it_sends_is_held_to_the_upload_limit()
    {
        // Each file is under the document limit; together they are over the upload limit, which the request hides.
        await using var host = new GatewayHost(new Dictionary<string, string?>
        {
            ["Annotate:Readers:MaxDocumentBytes"] = "1000",
            ["Annotate:Api:MaxUploadBytes"] = "3000",
        });
        using var client = StreamingClient(host);
        var body = Multipart([.. Enumerable.Range(0, 10).Select(i => ($"part{i}.txt", new string('a', 900)))]);
        using var content = new LyingContent(body, declaredLength: 2000);

        using var response = await client.PostAsync("/api/documents", content);

        Assert.True(response.StatusCode is HttpStatusCode.RequestEntityTooLarge,
            $"got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        Assert.Empty(await host.Services.GetRequiredService<IDocumentStore>().ListAsync(10, CancellationToken.None));
    }

    public static TheoryData<string, string> HostileNames => new()
    {
        { "../../x.txt", "x.txt" },
        { "..\\..\\x.txt", "x.txt" },
        { "/etc/x.txt", "x.txt" },
        { "a\0b.txt", "a_b.txt" },
        { "<img src=x onerror=alert(1)>.txt", "_img src=x onerror=alert(1)_.txt" },
        { new string('n', 300) + ".txt", new string('n', 146) + ".txt" },
    };

    [Theory]
    [MemberData(nameof(HostileNames))]
    public async Task A_hostile_file_name_is_only_a_label_made_safe_and_never_escapes_the_store(string name, string expected)
    {
        await using var host = new GatewayHost();
        using var content = new ByteArrayContent(Multipart((name, "Hello there.\n")));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");
        var before = Snapshot(Path.GetDirectoryName(host.Root)!);

        using var response = await host.Client.PostAsync("/api/documents", content);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"got {(int)response.StatusCode}: {text}");
        Assert.DoesNotContain("<img", text, StringComparison.Ordinal);
        var id = JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
        var status = await host.WaitUntilFinishedAsync(id);
        Assert.Equal(expected, status.GetProperty("fileName").GetString());
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        // Nothing was written beside the test's own folder, nor anywhere named after the client's path.
        Assert.Equal(before, Snapshot(Path.GetDirectoryName(host.Root)!));
        Assert.False(File.Exists(Path.GetFullPath(Path.Combine(host.Root, "blobs", "../../x.txt"))));
        Assert.All(Directory.EnumerateFiles(host.Root, "*", SearchOption.AllDirectories),
            f => Assert.StartsWith(host.Root, Path.GetFullPath(f), StringComparison.Ordinal));
    }

    // Entries beside the test's folder, but the other tests' folders (named by a Guid) that come and go meanwhile, and whether x.txt is above it.
    private static string[] Snapshot(string folder) =>
        [.. Directory.EnumerateFileSystemEntries(folder)
            .Where(e => !Guid.TryParseExact(Path.GetFileName(e), "N", out _))
            .Append(File.Exists(Path.Combine(Path.GetDirectoryName(folder)!, "x.txt")) ? "x.txt above" : "no x.txt above")
            .Order(StringComparer.Ordinal)];

    private static HttpClient StreamingClient(GatewayHost host) =>
        // The factory's own client buffers a request body (and so learns its length); the server's client streams it.
        ((TestServer)host.Services.GetRequiredService<IServer>()).CreateClient();

    private static byte[] Multipart(params (string Name, string Text)[] files)
    {
        var body = new StringBuilder();
        foreach (var (name, text) in files)
        {
            body.Append("--b0undary\r\nContent-Disposition: form-data; name=\"file\"; filename=\"")
                .Append(name.Replace("\"", "%22", StringComparison.Ordinal)).Append("\"\r\nContent-Type: text/plain\r\n\r\n").Append(text).Append("\r\n");
        }
        body.Append("--b0undary--\r\n");
        return Encoding.UTF8.GetBytes(body.ToString());
    }

    private static byte[] ZipOf(string entry, string text)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
            writer.Write(text);
        }
        return memory.ToArray();
    }

    private static byte[] RandomBytes()
    {
        var bytes = new byte[4096];
        new Random(42).NextBytes(bytes);
        bytes[0] = 0;
        return bytes;
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
    }

    /// <summary>A body that says it is <c>declaredLength</c> bytes long and sends all of its bytes anyway.</summary>
    private sealed class LyingContent : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly long _declaredLength;

        public LyingContent(byte[] bytes, long declaredLength)
        {
            _bytes = bytes;
            _declaredLength = declaredLength;
            Headers.ContentType = MediaTypeHeaderValue.Parse("multipart/form-data; boundary=b0undary");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = _declaredLength;
            return true;
        }
    }
}
