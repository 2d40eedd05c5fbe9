using System.Text.Json;
using Annotate.Gateway.Tests.Support;
using Annotate.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Annotate.Gateway.Tests.Bus;

/// <summary>The one request the in-memory bus sends itself at start, so the first document does not compile its paths.</summary>
public sealed class BusWarmUpTests
{
    [Fact]
    public async Task The_in_memory_bus_answers_one_request_of_its_own_at_start_and_no_document_comes_of_it()
    {
        await using var host = new GatewayHost();

        var warmUp = host.Services.GetRequiredService<BusWarmUpService>();
        Assert.True(await warmUp.Answered.WaitAsync(TimeSpan.FromSeconds(60)), "the warm-up request was answered");
        await host.WaitForConsumedAsync<BusWarmUpRequest>();
        Assert.Equal(1, host.Services.GetRequiredService<ConsumedCounter>().Count<BusWarmUpRequest>());
        var documents = JsonDocument.Parse(await host.Client.GetStringAsync("/api/documents")).RootElement;
        Assert.Equal(0, (documents.ValueKind == JsonValueKind.Array ? documents : documents.GetProperty("items")).GetArrayLength());
    }
}
