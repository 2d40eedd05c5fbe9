using System.IO.Compression;
using System.Net;
using System.Net.Http.Json;
using Annotate.Gateway.Api;
using Annotate.Gateway.Tests.Support;

namespace Annotate.Gateway.Tests.Api;

public sealed class OutputsZipTests
{
    [Fact]
    public async Task The_outputs_zip_holds_every_output_of_the_document_byte_for_byte()
    {
        await using var host = new GatewayHost();
        var file = Path.Combine(host.Root, "memo.md");
        await File.WriteAllTextAsync(file, "# Memo\n\nPlease pay invoice 42 by 2024-04-30.\n\n| Item | Price |\n|---|---|\n| Paper | 12.50 |\n");
        var id = await host.UploadAsync(file);
        await host.WaitUntilFinishedAsync(id);
        var document = (await host.Client.GetFromJsonAsync<DocumentView>($"/api/documents/{id}"))!;
        Assert.Equal($"/api/documents/{id}/outputs.zip", document.OutputsZip);

        using var response = await host.Client.GetAsync(document.OutputsZip);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"{id}-outputs.zip", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName);
        await using var zip = new ZipArchive(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), ZipArchiveMode.Read);
        Assert.True(document.Outputs.Count >= 2, "the document has too few outputs for the test to mean anything");
        Assert.Equal(document.Outputs.Select(o => o.Name).Order(), zip.Entries.Select(e => e.FullName).Order());
        foreach (var output in document.Outputs)
        {
            using var entry = new MemoryStream();
            await using (var stream = await zip.GetEntry(output.Name)!.OpenAsync())
            {
                await stream.CopyToAsync(entry);
            }
            Assert.Equal(await host.Client.GetByteArrayAsync(output.Url), entry.ToArray());
        }
    }

    [Fact]
    public async Task The_outputs_zip_of_an_unknown_document_is_404_with_a_problem()
    {
        await using var host = new GatewayHost();

        using var response = await host.Client.GetAsync("/api/documents/nope/outputs.zip");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }
}
