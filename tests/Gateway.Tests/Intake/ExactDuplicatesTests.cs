using System.Net;
using System.Net.Http.Json;
using Annotate.Gateway.Api;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Intake;

/// <summary>Annotate:Gateway:SkipExactDuplicates through the HTTP API, with the real in-process worker.</summary>
public sealed class ExactDuplicatesTests
{
    private static readonly Dictionary<string, string?> Skipping = new() { ["Annotate:Gateway:SkipExactDuplicates"] = "true" };

    private static byte[] Memo(string topic) => System.Text.Encoding.UTF8.GetBytes($"# Memo\n\nThe {topic} review meets on Friday in room 4.\n");

    private static async Task<UploadAccepted> Upload(GatewayHost host, string? profile, params (string Name, byte[] Bytes)[] files)
    {
        using var form = new MultipartFormDataContent();
        foreach (var (name, bytes) in files)
        {
            form.Add(new ByteArrayContent(bytes), "file", name);
        }
        if (profile is not null)
        {
            form.Add(new StringContent(profile), "profile");
        }
        using var response = await host.Client.PostAsync("/api/documents", form);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<UploadAccepted>())!;
    }

    [Fact]
    public async Task The_same_bytes_again_are_not_annotated_but_complete_as_a_duplicate_with_the_earlier_documents_outputs()
    {
        await using var host = new GatewayHost(Skipping);
        var first = await Upload(host, null, ("memo.md", Memo("budget")));
        var original = await host.WaitUntilFinishedAsync(first.Id);
        Assert.Equal("Completed", original.GetProperty("state").GetString());

        var again = await Upload(host, null, ("memo-copy.md", Memo("budget")));

        Assert.Equal(first.Id, again.DuplicateOf);
        Assert.Equal(first.Id, again.Documents.Single().DuplicateOf);
        var copy = await host.WaitUntilFinishedAsync(again.Id);
        Assert.Equal("Completed", copy.GetProperty("state").GetString());
        Assert.Equal(first.Id, copy.GetProperty("duplicateOf").GetString());
        Assert.Equal(
            original.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()),
            copy.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
        // Its downloads are the earlier document's files, and no worker was handed it.
        Assert.Equal(
            await host.Client.GetStringAsync($"/api/documents/{first.Id}/files/annotations.json"),
            await host.Client.GetStringAsync($"/api/documents/{again.Id}/files/annotations.json"));
        var record = await host.Services.GetRequiredService<IDocumentStore>().FindAsync(again.Id, CancellationToken.None);
        Assert.Equal(0, record!.Dispatches);
        Assert.Equal("memo-copy.md", record.FileName);
    }

    [Fact]
    public async Task A_copy_in_the_same_upload_waits_for_the_first_and_completes_with_it()
    {
        await using var host = new GatewayHost(Skipping);

        var both = await Upload(host, null, ("a.md", Memo("hiring")), ("b.md", Memo("hiring")));

        Assert.Null(both.Documents[0].DuplicateOf);
        Assert.Equal(both.Documents[0].Id, both.Documents[1].DuplicateOf);
        var first = await host.WaitUntilFinishedAsync(both.Documents[0].Id);
        var second = await host.WaitUntilFinishedAsync(both.Documents[1].Id);
        Assert.Equal("Completed", first.GetProperty("state").GetString());
        Assert.Equal("Completed", second.GetProperty("state").GetString());
        Assert.Equal(both.Documents[0].Id, second.GetProperty("duplicateOf").GetString());
        Assert.Equal(0, (await host.Services.GetRequiredService<IDocumentStore>().FindAsync(both.Documents[1].Id, CancellationToken.None))!.Dispatches);
    }

    [Fact]
    public async Task A_copy_waiting_for_a_document_that_fails_is_annotated_on_its_own_and_ends_with_its_own_reason()
    {
        await using var host = new GatewayHost(Skipping);
        // A PDF header and nothing a PDF reader can use: accepted at upload, failed by the reader.
        var broken = System.Text.Encoding.ASCII.GetBytes("%PDF-1.7\n" + new string('x', 300) + "\n");

        var both = await Upload(host, null, ("scan.pdf", broken), ("scan-again.pdf", broken));

        Assert.Equal(both.Documents[0].Id, both.Documents[1].DuplicateOf);
        var first = await host.WaitUntilFinishedAsync(both.Documents[0].Id);
        var second = await host.WaitUntilFinishedAsync(both.Documents[1].Id);
        Assert.Equal("Failed", first.GetProperty("state").GetString());
        // Released when the earlier one failed: handed to a worker, not left waiting and not given the earlier failure.
        Assert.Equal("Failed", second.GetProperty("state").GetString());
        Assert.Equal(first.GetProperty("reason").GetString(), second.GetProperty("reason").GetString());
        Assert.Contains("scan-again.pdf", second.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True((await host.Services.GetRequiredService<IDocumentStore>().FindAsync(both.Documents[1].Id, CancellationToken.None))!.Dispatches >= 1);
    }

    [Fact]
    public async Task Another_profile_or_other_bytes_are_annotated_as_usual()
    {
        await using var host = new GatewayHost(Skipping);
        var first = await Upload(host, null, ("memo.md", Memo("travel")));
        await host.WaitUntilFinishedAsync(first.Id);

        var otherProfile = await Upload(host, "invoice", ("memo.md", Memo("travel")));
        var otherBytes = await Upload(host, null, ("memo.md", Memo("training")));

        Assert.Null(otherProfile.DuplicateOf);
        Assert.Null(otherBytes.DuplicateOf);
        var store = host.Services.GetRequiredService<IDocumentStore>();
        await host.WaitUntilFinishedAsync(otherProfile.Id);
        await host.WaitUntilFinishedAsync(otherBytes.Id);
        Assert.True((await store.FindAsync(otherProfile.Id, CancellationToken.None))!.Dispatches >= 1);
        Assert.True((await store.FindAsync(otherBytes.Id, CancellationToken.None))!.Dispatches >= 1);
    }

    [Fact]
    public async Task Off_by_default_the_same_bytes_are_handed_to_a_worker_again()
    {
        await using var host = new GatewayHost();
        var first = await Upload(host, null, ("memo.md", Memo("parking")));
        await host.WaitUntilFinishedAsync(first.Id);

        var again = await Upload(host, null, ("memo.md", Memo("parking")));

        Assert.Null(again.DuplicateOf);
        await host.WaitUntilFinishedAsync(again.Id);
        Assert.True((await host.Services.GetRequiredService<IDocumentStore>().FindAsync(again.Id, CancellationToken.None))!.Dispatches >= 1);
    }
}
