using Annotate.Hosting.Blobs;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway;

/// <summary>Prints where the inbox, outbox and API are once the host is listening.</summary>
public sealed class StartupBanner(
    IHostApplicationLifetime lifetime,
    IServer server,
    IOptions<GatewayOptions> gateway,
    IOptions<BlobStoreOptions> blobs,
    Api.ApiKeys keys,
    ILogger<StartupBanner> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var open = !await keys.RequiredAsync(cancellationToken);
        lifetime.ApplicationStarted.Register(() =>
        {
            var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            // The folders it names exist when it is read: the watcher creates the inbox only once start-up recovery is done.
            if (gateway.Value.WatchInbox)
            {
                Directory.CreateDirectory(gateway.Value.Inbox);
            }
            Directory.CreateDirectory(blobs.Value.Outputs);
            logger.LogInformation(
                "Annotate is ready: open {Dashboard} in a browser, or drop files into {Inbox} and find the results in {Outbox} (files that fail go to {Failed}). HTTP API: {Api}",
                string.Join(", ", addresses.Select(a => a + "/")),
                Path.GetFullPath(gateway.Value.Inbox), Path.GetFullPath(blobs.Value.Outputs), Path.GetFullPath(gateway.Value.Failed),
                string.Join(", ", addresses.Select(a => a + "/api/documents")));
            logger.LogInformation("API reference: {Reference} (OpenAPI document: {OpenApi})",
                string.Join(", ", addresses.Select(a => a + "/scalar")), string.Join(", ", addresses.Select(a => a + "/openapi/v1.json")));
            if (open)
            {
                // Start-up refuses an open API on any other address (ApiHostingExtensions), so loopback is all this can be.
                logger.LogWarning(
                    "No API keys are configured (Annotate:Gateway:ApiKeys) or stored (keys new): the HTTP API answers anyone on this machine without a key, and listens on loopback only. Configure keys before listening on another address.");
            }
        });
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
