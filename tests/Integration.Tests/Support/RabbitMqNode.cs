namespace Annotate.Integration.Tests.Support;

/// <summary>A RabbitMQ node of the test's own (<c>.ci/rabbitmq.sh</c>: own ports, epmd, cookie and data), stopped on dispose.</summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);
    private readonly string _directory;

    private RabbitMqNode(string directory, Uri uri)
    {
        _directory = directory;
        Uri = uri;
    }

    /// <summary><c>amqp://guest:guest@127.0.0.1:port/</c>.</summary>
    public Uri Uri { get; }

    public static async Task<RabbitMqNode> StartAsync(string directory)
    {
        try
        {
            var exports = TestServices.Exports(await TestServices.RunScriptAsync("rabbitmq.sh", ScriptTimeout, "start", directory));
            return new RabbitMqNode(directory, new Uri(exports["ANNOTATE_TEST_RABBITMQ"]));
        }
        catch
        {
            // A node that started half-way (its epmd, say) is stopped too.
            await TestServices.RunScriptAsync("rabbitmq.sh", ScriptTimeout, "stop", directory);
            throw;
        }
    }

    /// <summary>Stops the node and starts it again on the same ports and data; returns once it accepts connections again.</summary>
    public Task RestartAsync() => TestServices.RunScriptAsync("rabbitmq.sh", ScriptTimeout, "restart", _directory);

    /// <summary>The hosts' bus settings for this node.</summary>
    public Dictionary<string, string> Settings() => new()
    {
        ["Annotate__Bus__Transport"] = "RabbitMq",
        ["Annotate__Bus__Host"] = Uri.Host,
        ["Annotate__Bus__Port"] = Uri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Annotate__Bus__VirtualHost"] = "/",
        ["Annotate__Bus__Username"] = "guest",
        ["Annotate__Bus__Password"] = "guest",
    };

    public async ValueTask DisposeAsync() => await TestServices.RunScriptAsync("rabbitmq.sh", ScriptTimeout, "stop", _directory);
}
