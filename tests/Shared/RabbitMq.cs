using System.Diagnostics;
using System.Globalization;

namespace Annotate.Tests.Shared;

/// <summary>
/// A test that needs the RabbitMQ test broker: skipped without one (outside CI, with how to start it), run and failing in
/// CI, so CI cannot pass without the broker tests.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RabbitMqFactAttribute : FactAttribute
{
    public RabbitMqFactAttribute()
    {
        if (RabbitMqTestBroker.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The RabbitMQ broker the tests use, from the variables <c>.ci/rabbitmq.sh start</c> prints.</summary>
public static class RabbitMqTestBroker
{
    public const string Variable = "ANNOTATE_TEST_RABBITMQ";

    /// <summary>A <c>rabbitmqctl</c> bound to the test node (virtual hosts are created with it).</summary>
    public const string CtlVariable = "ANNOTATE_TEST_RABBITMQ_CTL";

    private static string? Get(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static bool InCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Why broker tests are skipped, or null when they run. Never skipped in CI.</summary>
    public static string? SkipReason => (Get(Variable) is null || Get(CtlVariable) is null) && !InCi
        ? $"{Variable} and {CtlVariable} are not set: run `eval \"$(bash .ci/rabbitmq.sh start)\"` first (and `bash .ci/rabbitmq.sh stop` after)"
        : null;

    /// <summary>The broker's address, or a failure saying why it is missing (in CI).</summary>
    public static Uri Require() => Get(Variable) is { } uri && Get(CtlVariable) is not null
        ? new Uri(uri)
        : throw new InvalidOperationException($"{Variable} or {CtlVariable} is not set, and CI=true: CI must run the RabbitMQ tests (.ci/run starts a broker with .ci/rabbitmq.sh)");

    /// <summary>Runs the node's rabbitmqctl and returns its output; fails with the output when it fails.</summary>
    public static async Task<string> CtlAsync(params string[] arguments)
    {
        Require();
        var start = new ProcessStartInfo(Get(CtlVariable)!) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        return process.ExitCode == 0
            ? await output
            : throw new InvalidOperationException($"rabbitmqctl {string.Join(' ', arguments)} failed ({process.ExitCode}): {await error}{await output}");
    }
}

/// <summary>
/// A virtual host of its own for one test, so hosts running at the same time never consume each other's messages.
/// Deleted with everything in it on dispose.
/// </summary>
public sealed class RabbitMqVirtualHost : IAsyncDisposable
{
    private RabbitMqVirtualHost(string name) => Name = name;

    public string Name { get; }

    public static async Task<RabbitMqVirtualHost> CreateAsync()
    {
        var name = $"annotate-test-{Guid.NewGuid():N}";
        await RabbitMqTestBroker.CtlAsync("add_vhost", name);
        await RabbitMqTestBroker.CtlAsync("set_permissions", "-p", name, RabbitMqTestBroker.Require().UserInfo.Split(':')[0], ".*", ".*", ".*");
        return new RabbitMqVirtualHost(name);
    }

    /// <summary>
    /// The bus settings for this virtual host: the separate settings, not the URI, so they are tested. A gateway given
    /// them runs a worker inside (on RabbitMQ it runs alone unless told to) unless <paramref name="runWorker"/> is false.
    /// </summary>
    public Dictionary<string, string?> Settings(bool quorumQueues = false, bool runWorker = true)
    {
        var broker = RabbitMqTestBroker.Require();
        var user = broker.UserInfo.Split(':', 2);
        return new Dictionary<string, string?>
        {
            ["Annotate:Bus:Transport"] = "RabbitMq",
            ["Annotate:Bus:Host"] = broker.Host,
            ["Annotate:Bus:Port"] = broker.Port.ToString(CultureInfo.InvariantCulture),
            ["Annotate:Bus:VirtualHost"] = Name,
            ["Annotate:Bus:Username"] = Uri.UnescapeDataString(user[0]),
            ["Annotate:Bus:Password"] = Uri.UnescapeDataString(user[1]),
            ["Annotate:Bus:QuorumQueues"] = quorumQueues ? "true" : "false",
            ["Annotate:Gateway:RunWorker"] = runWorker ? "true" : "false",
        };
    }

    /// <summary>The broker's AMQP URI for this virtual host, credentials included (for clients that are not .NET).</summary>
    public Uri AmqpUri()
    {
        var broker = RabbitMqTestBroker.Require();
        return new Uri($"amqp://{broker.UserInfo}@{broker.Host}:{broker.Port}/{Uri.EscapeDataString(Name)}");
    }

    /// <summary>The queues of this virtual host.</summary>
    public async Task<IReadOnlyList<QueueState>> QueuesAsync()
    {
        var output = await RabbitMqTestBroker.CtlAsync("list_queues", "-p", Name, "--quiet", "--no-table-headers",
            "name", "durable", "type", "messages_ready", "messages_unacknowledged", "arguments");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t', StringSplitOptions.TrimEntries))
            .Where(c => c.Length >= 5)
            .Select(c => new QueueState(c[0], c[1] == "true", c[2], int.Parse(c[3], CultureInfo.InvariantCulture),
                int.Parse(c[4], CultureInfo.InvariantCulture), c.Length > 5 ? c[5] : ""))
            .ToList();
    }

    /// <summary>The queue named <paramref name="name"/>, or null when it does not exist.</summary>
    public async Task<QueueState?> QueueAsync(string name) => (await QueuesAsync()).SingleOrDefault(q => q.Name == name);

    /// <summary>Polls the queues until <paramref name="condition"/> holds (bounded: 60 s).</summary>
    public async Task<IReadOnlyList<QueueState>> WaitForQueuesAsync(Func<IReadOnlyList<QueueState>, bool> condition, string what)
    {
        IReadOnlyList<QueueState> queues = [];
        for (var i = 0; i < 120; i++)
        {
            queues = await QueuesAsync();
            if (condition(queues))
            {
                return queues;
            }
            await Task.Delay(500);
        }
        throw new TimeoutException($"{what} did not happen within 60 s; queues: {string.Join("; ", queues)}");
    }

    /// <summary>The prefetch count of each consumer of <paramref name="queue"/>.</summary>
    public async Task<IReadOnlyList<int>> ConsumerPrefetchAsync(string queue)
    {
        var output = await RabbitMqTestBroker.CtlAsync("list_consumers", "-p", Name, "--quiet", "--no-table-headers", "queue_name", "prefetch_count");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('\t', StringSplitOptions.TrimEntries))
            .Where(c => c.Length == 2 && c[0] == queue)
            .Select(c => int.Parse(c[1], CultureInfo.InvariantCulture))
            .ToList();
    }

    public async ValueTask DisposeAsync() => await RabbitMqTestBroker.CtlAsync("delete_vhost", Name);
}

/// <summary>One queue as <c>rabbitmqctl list_queues</c> shows it.</summary>
public sealed record QueueState(string Name, bool Durable, string Type, int Ready, int Unacknowledged, string Arguments)
{
    public int Messages => Ready + Unacknowledged;
}
