using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Annotate.Gateway.Tests.Support;

namespace Annotate.Gateway.Tests.Api;

public sealed class DocumentEndpointsTests
{
    [Fact]
    public async Task Upload_answers_202_with_a_status_url_and_the_outputs_can_be_downloaded()
    {
        await using var host = new GatewayHost();
        var file = Path.Combine(host.Root, "memo.md");
        await File.WriteAllTextAsync(file, "# Memo\n\nPlease pay invoice 42 by 2024-04-30.\n\n| Item | Price |\n|---|---|\n| Paper | 12.50 |\n");

        using var form = new MultipartFormDataContent { { new ByteArrayContent(await File.ReadAllBytesAsync(file)), "file", "memo.md" } };
        var response = await host.Client.PostAsync("/api/documents", form);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/documents/{id}", body.GetProperty("status").GetString());
        Assert.Equal($"/api/documents/{id}", response.Headers.Location?.ToString());

        var status = await host.WaitUntilFinishedAsync(id);
        Assert.Equal("Completed", status.GetProperty("state").GetString());
        Assert.Equal("upload", status.GetProperty("channel").GetString());
        var outputs = status.GetProperty("outputs").EnumerateArray().ToList();
        var markdown = outputs.Single(o => o.GetProperty("name").GetString() == "content.md");
        var download = await host.Client.GetAsync(markdown.GetProperty("url").GetString());
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("text/markdown", download.Content.Headers.ContentType?.MediaType);
        Assert.Contains("| Paper | 12.50 |", await download.Content.ReadAsStringAsync());

        var annotations = await host.Client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}/files/annotations.json");
        Assert.Equal(id, annotations.GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task Unknown_document_and_unknown_file_are_404_and_paths_cannot_escape_the_outbox()
    {
        await using var host = new GatewayHost();
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/documents/nope")).StatusCode);

        var file = Path.Combine(host.Root, "a.txt");
        await File.WriteAllTextAsync(file, "Hello there.");
        var id = await host.UploadAsync(file);
        await host.WaitUntilFinishedAsync(id);

        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/api/documents/{id}/files/missing.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync($"/api/documents/{id}/files/..%2F..%2Fannotate.db")).StatusCode);
    }

    [Fact]
    public async Task Upload_without_a_file_or_with_an_unknown_profile_is_rejected_with_a_reason()
    {
        await using var host = new GatewayHost();
        using var empty = new MultipartFormDataContent { { new StringContent("x"), "note" } };
        var response = await host.Client.PostAsync("/api/documents", empty);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("'file'", await response.Content.ReadAsStringAsync());

        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent("hi"u8.ToArray()), "file", "a.txt" },
            { new StringContent("no-such-profile"), "profile" },
        };
        response = await host.Client.PostAsync("/api/documents", form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("no-such-profile", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Upload_over_the_size_limit_is_refused_with_413()
    {
        await using var host = new GatewayHost(new Dictionary<string, string?> { ["Annotate:Readers:MaxDocumentBytes"] = "1000" });
        using var form = new MultipartFormDataContent { { new ByteArrayContent(new byte[5000]), "file", "big.txt" } };

        var response = await host.Client.PostAsync("/api/documents", form);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("too-large", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Empty_upload_fails_with_reason_empty_and_is_moved_to_the_failed_folder()
    {
        await using var host = new GatewayHost();
        using var form = new MultipartFormDataContent { { new ByteArrayContent([]), "file", "nothing.pdf" } };
        var response = await host.Client.PostAsync("/api/documents", form);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var status = await host.WaitUntilFinishedAsync(id);

        Assert.Equal("Failed", status.GetProperty("state").GetString());
        Assert.Equal("empty", status.GetProperty("reason").GetString());
        Assert.Contains("nothing.pdf", status.GetProperty("message").GetString());
        Assert.True(File.Exists(Path.Combine(host.Failed, "nothing.pdf")));
        var error = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(host.Failed, "nothing.pdf.error.json"))).RootElement;
        Assert.Equal("empty", error.GetProperty("reason").GetString());
        Assert.Equal(id, error.GetProperty("documentId").GetString());
    }

    [Fact]
    public async Task Health_endpoint_answers()
    {
        await using var host = new GatewayHost();
        var response = await host.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
