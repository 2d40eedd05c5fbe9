using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Review;

/// <summary>Review and correction over the one-process host with the real tiny model (which writes nonsense fields to correct).</summary>
public sealed class ReviewEndpointsTests
{
    internal static string ModelPath => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Shared.Corpus("pdf/minimal-document.pdf"))!, "..", "..", "models", "stories260K.gguf"));

    internal static Dictionary<string, string?> WithModel() => new()
    {
        ["Annotate:Model:Path"] = ModelPath,
        ["Annotate:Model:ContextSize"] = "2048",
        ["Annotate:Model:RequestTimeout"] = "00:01:00",
        ["Annotate:Worker:RetryLimit"] = "1",
    };

    private static async Task<(GatewayHost Host, string Id, JsonNode Annotations)> AnnotatedInvoiceAsync(Dictionary<string, string?>? settings = null)
    {
        var host = new GatewayHost(settings ?? WithModel());
        var path = Path.Combine(host.Root, "inv-42.txt");
        await File.WriteAllTextAsync(path, "Invoice 42\n\nAcme GmbH bills Globex Ltd for 3 chairs at EUR 120.00 each.\nTotal due: EUR 360.00 by 30 April 2024.\n");
        var id = await host.UploadAsync(path, profile: "invoice");
        var status = await host.WaitUntilFinishedAsync(id);
        Assert.True(status.GetProperty("state").GetString() == "Completed", status.GetProperty("message").ToString());
        var annotations = JsonNode.Parse(await host.Client.GetStringAsync($"/api/documents/{id}/files/annotations.json"))!;
        return (host, id, annotations);
    }

    [Fact]
    public async Task A_corrected_field_is_stored_beside_the_models_value_which_stays_unchanged_and_the_export_holds_it()
    {
        var (host, id, annotations) = await AnnotatedInvoiceAsync();
        await using var _ = host;
        var fields = annotations["extraction"]!["fields"]!.AsArray();
        Assert.NotEmpty(fields);
        var path = (string)fields[0]!["path"]!;
        var original = fields[0]!["value"];

        var response = await host.Client.PutAsJsonAsync($"/api/documents/{id}/review", new
        {
            reviewer = "Dana",
            fields = new Dictionary<string, object> { [path] = "INV-42" },
            metadata = new Dictionary<string, object> { ["documentType"] = "invoice" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var review = await host.Client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}/review");
        Assert.Equal("Dana", review.GetProperty("reviewedBy").GetString());
        var field = review.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == path);
        Assert.Equal("INV-42", field.GetProperty("value").GetString());
        Assert.True(JsonNode.DeepEquals(original, JsonNode.Parse(field.GetProperty("original").GetRawText())));
        Assert.Equal(!JsonNode.DeepEquals(original, JsonValue.Create("INV-42")), field.GetProperty("changed").GetBoolean());
        var type = review.GetProperty("metadata").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "documentType");
        Assert.Equal("invoice", type.GetProperty("value").GetString());
        // The model's annotations are never overwritten.
        Assert.Equal(annotations.ToJsonString(), JsonNode.Parse(await host.Client.GetStringAsync($"/api/documents/{id}/files/annotations.json"))!.ToJsonString());
        Assert.True(File.Exists(Path.Combine(host.Outbox, id, "annotations.reviewed.json")));

        var lines = (await host.Client.GetStringAsync("/api/reviews.jsonl?profile=invoice")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var line = JsonNode.Parse(Assert.Single(lines))!;
        Assert.Equal(id, (string?)line["documentId"]);
        Assert.Equal("INV-42", (string?)line["fields"]![path]);
        Assert.Contains("Acme GmbH", (string?)line["text"], StringComparison.Ordinal);
        Assert.Empty((await host.Client.GetStringAsync("/api/reviews.jsonl?profile=contract")).Trim());
    }

    [Fact]
    public async Task A_review_becomes_the_profiles_newest_example_which_a_worker_reads_from_the_shared_store_by_the_key_the_command_carries()
    {
        var settings = WithModel();
        // A configured profile replaces the built-in one of that name: it is the invoice profile with examples on.
        settings["Annotate:Profiles:invoice:Instructions"] = "The document is an invoice.";
        settings["Annotate:Profiles:invoice:ExtractionSchema"] = "builtin:invoice.schema.json";
        settings["Annotate:Profiles:invoice:FewShotExamples"] = "2";
        var (host, id, annotations) = await AnnotatedInvoiceAsync(settings);
        await using var _ = host;
        var path = (string)annotations["extraction"]!["fields"]![0]!["path"]!;

        var response = await host.Client.PutAsJsonAsync($"/api/documents/{id}/review", new
        {
            reviewer = "Dana",
            fields = new Dictionary<string, object> { [path] = "INV-42" },
            metadata = new Dictionary<string, object> { ["documentType"] = "invoice" },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // What a worker on another machine does with the command's key: read the examples from the blob store.
        var record = (await host.Services.GetRequiredService<Annotate.Gateway.Storage.IDocumentStore>().FindAsync(id, CancellationToken.None))!;
        var key = Annotate.Hosting.Blobs.BlobKeys.ExamplesOf("invoice");
        var examples = await host.Services.GetRequiredService<Annotate.Worker.Storage.ReviewedExamples>().ReadAsync(key, CancellationToken.None);
        var example = Assert.Single(examples!);
        Assert.StartsWith("# Invoice 42", example.Input, StringComparison.Ordinal);
        Assert.Contains("Acme GmbH", example.Input, StringComparison.Ordinal);
        Assert.Equal("invoice", (string?)example.Metadata!["documentType"]);
        Assert.Equal("INV-42", (string?)example.Values![path.TrimStart('/')]);
        // A key outside the examples' folder is never read, whatever a command says.
        Assert.Null(await host.Services.GetRequiredService<Annotate.Worker.Storage.ReviewedExamples>().ReadAsync($"outputs/{id}/annotations.json", CancellationToken.None));

        // Commands for the profile carry the key (the prompts' use of the examples is tested with the model in FewShotTests).
        Assert.Equal(key, host.Services.GetRequiredService<Annotate.Gateway.Intake.DocumentIntake>().CommandFor(record).ExamplesKey);
    }

    [Fact]
    public async Task A_review_without_a_reviewer_or_with_a_field_the_document_does_not_have_is_refused_with_a_reason()
    {
        var (host, id, _) = await AnnotatedInvoiceAsync();
        await using var _ = host;

        var anonymous = await host.Client.PutAsJsonAsync($"/api/documents/{id}/review", new { fields = new Dictionary<string, object>() });
        var unknownField = await host.Client.PutAsJsonAsync($"/api/documents/{id}/review", new { reviewer = "Dana", fields = new Dictionary<string, object> { ["no.such[0].field"] = 1 } });
        var unknownMetadata = await host.Client.PutAsJsonAsync($"/api/documents/{id}/review", new { reviewer = "Dana", metadata = new Dictionary<string, object> { ["author"] = "x" } });

        Assert.Equal(HttpStatusCode.BadRequest, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);
        Assert.Contains("no.such[0].field", (await unknownField.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownMetadata.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await host.Client.GetAsync($"/api/documents/{id}/review")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.Client.GetAsync("/api/documents/nope/review")).StatusCode);
    }
}
