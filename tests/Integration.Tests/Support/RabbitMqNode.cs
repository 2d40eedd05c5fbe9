namespace Annotate.Integration.Tests.Support;

/// <summary>A RabbitMQ node of the test's own (<c>.ci/rabbitmq.sh</c>: own ports, epmd, cookie and data), stopped on dispose.</summary>
public sealed class RabbitMqNode : IAsyncDisposable
{
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(3);
    private readonly string _directory;

    private RabbitMqNode(string directory, Uri uri, string ctl)
    {
        _directory = directory;
        Uri = uri;
        Ctl = ctl;
    }

    /// <summary><c>amqp://guest:guest@127.0.0.1:port/</c>.</summary>
    public Uri Uri { get; }

    /// <summary>A rabbitmqctl bound to this node.</summary>
    public string Ctl { get; }

    public static async Task<RabbitMqNode> StartAsync(string directory)
    {
        try
        {
            var exports = TestServices.Exports(await TestServices.RunScriptAsync("rabbitmq.sh", ScriptTimeout, "start", directory));
            return new RabbitMqNode(directory, new Uri(exports["ANNOTATE_TEST_RABBITMQ"]), exports["ANNOTATE_TEST_RABBITMQ_CTL"]);
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

    /// <summary>Consumers of each queue of the default virtual host.</summary>
    public async Task<Dictionary<string, int>> ConsumersAsync()
    {
        var start = new System.Diagnostics.ProcessStartInfo(Ctl) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "list_queues", "--quiet", "--no-table-headers", "name", "consumers" })
        {
            start.ArgumentList.Add(argument);
        }
        var output = await TestServices.RunAsync(start, TimeSpan.FromSeconds(60));
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('\t', StringSplitOptions.TrimEntries))
            .Where(c => c.Length == 2 && int.TryParse(c[1], out _))
            .ToDictionary(c => c[0], c => int.Parse(c[1], System.Globalization.CultureInfo.InvariantCulture));
    }

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
