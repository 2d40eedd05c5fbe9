using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Annotate.Annotators.Writers.Json;
using Annotate.Gateway.Storage;
using Annotate.Gateway.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Model;

/// <summary>The one-process host with the real tiny GGUF model: the model tasks run inside the normal document flow.</summary>
public sealed class ModelEndToEndTests
{
    private static string ModelPath => Path.GetFullPath(Path.Combine(Path.GetDirectoryName(Shared.Corpus("pdf/minimal-document.pdf"))!, "..", "..", "models", "stories260K.gguf"));

    private static Dictionary<string, string?> WithModel(string path) => new()
    {
        ["Annotate:Model:Path"] = path,
        ["Annotate:Model:ContextSize"] = "2048",
        ["Annotate:Model:RequestTimeout"] = "00:01:00",
        ["Annotate:Worker:RetryLimit"] = "1",
    };

    [Fact]
    public async Task A_document_in_the_invoices_folder_gets_metadata_and_grounded_invoice_fields_from_the_model()
    {
        await using var host = new GatewayHost(WithModel(ModelPath));
        Directory.CreateDirectory(Path.Combine(host.Inbox, "invoices"));
        await File.WriteAllTextAsync(Path.Combine(host.Inbox, "invoices", "inv-42.txt"),
            "Invoice 42\n\nAcme GmbH bills Globex Ltd for 3 chairs at EUR 120.00 each.\nTotal due: EUR 360.00 by 30 April 2024.\n");

        var document = await host.WaitForInboxFileAsync("inv-42.txt");

        Assert.True(document.GetProperty("state").GetString() == "Completed", document.GetProperty("message").ToString());
        Assert.Equal("invoice", document.GetProperty("profile").GetString());
        var folder = Path.Combine(host.Outbox, document.GetProperty("id").GetString()!);
        var annotations = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "annotations.json")))!;
        Assert.Empty(AnnotationsSchema.Validate(annotations));
        Assert.Equal("ran", Run(annotations, "metadata"));
        Assert.Equal("ran", Run(annotations, "extraction"));
        var provenance = annotations["extraction"]!["provenance"]!;
        Assert.Equal("270cba1bd5109f42d03350f60406024560464db173c0e387d91f0426d3bd256d", (string?)provenance["modelSha256"]);
        Assert.Equal("invoice", (string?)provenance["profile"]);
        var source = await File.ReadAllTextAsync(Path.Combine(folder, "original.txt"));
        foreach (var field in annotations["extraction"]!["fields"]!.AsArray())
        {
            // The tiny model writes nonsense: whatever it claims is grounded must really be in the text.
            if ((bool?)field!["grounded"] == true)
            {
                Assert.Contains((string)field["text"]!, source, StringComparison.OrdinalIgnoreCase);
            }
        }
        Assert.DoesNotContain(annotations["notices"]!.AsArray(), n => (string?)n!["code"] == "model-not-configured");

        // The model's tokens for this document travel from the pipeline child in DocumentAnnotated to the store and the stats.
        var store = host.Services.GetRequiredService<IDocumentStore>();
        var record = (await store.FindAsync(document.GetProperty("id").GetString()!, CancellationToken.None))!;
        Assert.True(record.TokensIn > 0 && record.TokensOut > 0, $"tokens in {record.TokensIn}, out {record.TokensOut}");
        await store.RollUpThroughputAsync(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        var tokens = (await host.Client.GetFromJsonAsync<JsonElement>("/api/stats")).GetProperty("tokensLastHour");
        Assert.Equal((record.TokensIn, record.TokensOut), (tokens.GetProperty("in").GetInt64(), tokens.GetProperty("out").GetInt64()));
        Assert.Equal(record.TokensOut!.Value / 3600d, tokens.GetProperty("outPerSecond").GetDouble(), 9);
    }

    [Fact]
    public async Task A_workbook_in_the_spreadsheet_rows_folder_gets_a_label_for_every_row_as_new_columns()
    {
        await using var host = new GatewayHost(WithModel(ModelPath));
        var folder = Path.Combine(host.Inbox, "spreadsheet-rows");
        Directory.CreateDirectory(folder);
        using (var book = new ClosedXML.Excel.XLWorkbook())
        {
            var sheet = book.AddWorksheet("Entries");
            sheet.Cell(1, 1).Value = "Date";
            sheet.Cell(1, 2).Value = "Description";
            sheet.Cell(1, 3).Value = "Amount";
            sheet.Range(1, 1, 1, 3).Style.Font.Bold = true;
            for (var row = 2; row <= 11; row++)
            {
                sheet.Cell(row, 1).Value = new DateTime(2024, 5, row);
                sheet.Cell(row, 2).Value = row % 2 == 0 ? "Salary May" : "Office rent";
                sheet.Cell(row, 3).Value = row % 2 == 0 ? 3200 : -950;
            }
            book.SaveAs(Path.Combine(folder, "entries.xlsx"));
        }

        var document = await host.WaitForInboxFileAsync("entries.xlsx");

        Assert.True(document.GetProperty("state").GetString() == "Completed", document.GetProperty("message").ToString());
        var output = Path.Combine(host.Outbox, document.GetProperty("id").GetString()!);
        var annotations = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(output, "annotations.json")))!;
        Assert.Empty(AnnotationsSchema.Validate(annotations));
        var rows = annotations["rows"]!["tables"]!.AsArray().Single()!["rows"]!.AsArray();
        Assert.Equal(10, rows.Count);
        string[] labels = ["income", "expense", "transfer", "other"];
        Assert.All(rows, r => Assert.Contains((string?)r!["values"]!["Category"], labels));
        using var annotated = new ClosedXML.Excel.XLWorkbook(Path.Combine(output, "annotated.xlsx"));
        var entries = annotated.Worksheet("Entries");
        Assert.Equal("Salary May", entries.Cell(2, 2).GetString());
        Assert.Equal("Category", entries.Cell(1, 4).GetString());
        Assert.All(Enumerable.Range(2, 10), r => Assert.Contains(entries.Cell(r, 4).GetString(), labels));
    }

    [Fact]
    public async Task A_model_that_fails_to_load_makes_health_unhealthy_and_documents_fail_as_retryable()
    {
        var root = Path.Combine(Path.GetTempPath(), "annotate-gateway-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        var broken = Path.Combine(root, "broken.gguf");
        await File.WriteAllTextAsync(broken, "this is not a GGUF file");
        await using var host = new GatewayHost(WithModel(broken), root);

        var id = await host.UploadAsync(Shared.Corpus("pdf/minimal-document.pdf"));
        var status = await host.WaitUntilFinishedAsync(id);

        Assert.Equal("Failed", status.GetProperty("state").GetString());
        Assert.Equal("model-unavailable", status.GetProperty("reason").GetString());
        Assert.True(status.GetProperty("retryable").GetBoolean());
        var health = await host.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Equal("Unhealthy", await health.Content.ReadAsStringAsync());
        // The engine runs in this gateway's pipeline child, so the child's model is part of readiness.
        var ready = await host.Client.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("\"name\":\"pipeline-children\",\"status\":\"Unhealthy\"", await ready.Content.ReadAsStringAsync());
    }

    private static string? Run(JsonNode annotations, string name) =>
        (string?)annotations["annotators"]!.AsArray().Single(a => (string?)a!["name"] == name)!["status"];
}
