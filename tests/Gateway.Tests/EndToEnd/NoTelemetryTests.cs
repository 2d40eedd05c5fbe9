using System.Text.Json.Nodes;
using Annotate.Gateway.Tests.Support;

namespace Annotate.Gateway.Tests.EndToEnd;

/// <summary>
/// Nothing about a user's documents leaves the machine, not even a library's usage telemetry: ONNX Runtime (the sentence
/// encoder's engine) collects a device identifier and session events under the user's cache folder, to upload them,
/// unless told not to before it starts. The service runs here as users start it, with a home and cache folder of its own,
/// the encoder at work on a dropped document, in the pipeline child and inside the gateway's own process.
/// </summary>
public sealed class NoTelemetryTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task The_sentence_encoder_runs_without_ONNX_Runtime_collecting_telemetry(bool isolated)
    {
        var root = Directory.CreateTempSubdirectory("annotate-telemetry-").FullName;
        var home = Path.Combine(root, "home");
        var cache = Path.Combine(root, "cache");
        Directory.CreateDirectory(home);
        Directory.CreateDirectory(cache);
        try
        {
            await using (var gateway = await GatewayProcess.StartAsync(root, new Dictionary<string, string>
            {
                ["HOME"] = home,
                ["XDG_CACHE_HOME"] = cache,
                ["Annotate__Worker__Isolation__Enabled"] = isolated ? "true" : "false",
            }))
            {
                var finished = gateway.FinishedAsync("note.txt");
                Directory.CreateDirectory(Path.Combine(root, "inbox"));
                await File.WriteAllTextAsync(Path.Combine(root, "inbox", "note.txt"),
                    "Invoice 2024-0042 from Acme GmbH.\n\nPlease pay 1,250.00 EUR by 14 April 2024. Thank you for your order.\n");
                await finished.WaitAsync(TimeSpan.FromMinutes(4));
                Assert.Contains("  note.txt  Completed", gateway.Output, StringComparison.Ordinal);
            }

            // The encoder ran: the document has a type, chosen by the sentence encoder.
            var annotations = JsonNode.Parse(await File.ReadAllTextAsync(
                Directory.EnumerateFiles(Path.Combine(root, "outbox"), "annotations.json", SearchOption.AllDirectories).Single()))!;
            Assert.False(string.IsNullOrEmpty((string?)annotations["documentType"]?["label"]), annotations.ToJsonString());

            var written = Directory.EnumerateFileSystemEntries(home, "*", SearchOption.AllDirectories)
                .Concat(Directory.EnumerateFileSystemEntries(cache, "*", SearchOption.AllDirectories))
                .Where(p => p.Contains("onnxruntime", StringComparison.OrdinalIgnoreCase) || p.Contains("Microsoft", StringComparison.Ordinal))
                .Select(p => Path.GetRelativePath(root, p))
                .ToList();
            Assert.Empty(written);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
