using Annotate.Gateway.Tests.Support;
using Microsoft.Extensions.Options;

namespace Annotate.Gateway.Tests.Bus;

/// <summary>The worker inside the gateway obeys the same timeout rule as a standalone one; no broker needed.</summary>
public sealed class ConsumerTimeoutRuleTests
{
    [Fact]
    public void A_gateway_running_the_worker_on_RabbitMQ_refuses_to_start_when_the_document_timeout_reaches_the_consumer_timeout()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Annotate:Bus:Transport"] = "RabbitMq",
            // Nothing listens there: the refusal must come before any connection is tried.
            ["Annotate:Bus:Port"] = "1",
            ["Annotate:Bus:ConsumerTimeout"] = "00:10:00",
            ["Annotate:Gateway:RunWorker"] = "true",
            ["Annotate:Worker:DocumentTimeout"] = "00:09:30",
        };

        var error = Assert.Throws<OptionsValidationException>(() => new GatewayHost(settings));

        Assert.Contains("Annotate:Worker:DocumentTimeout (00:09:30)", error.Message);
        Assert.Contains("Annotate:Bus:ConsumerTimeout (00:10:00)", error.Message);
    }
}
