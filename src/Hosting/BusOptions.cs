using System.ComponentModel.DataAnnotations;

namespace Annotate.Hosting;

/// <summary>
/// Which message transport the hosts use and how they reach RabbitMQ (configuration section <c>Annotate:Bus</c>,
/// environment variables <c>Annotate__Bus__Host</c> and so on).
/// </summary>
public sealed class BusOptions : IValidatableObject
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Bus";

    /// <summary><c>InMemory</c> (default: one process, nothing to set up) or <c>RabbitMq</c>.</summary>
    [Required]
    [RegularExpression("^(?i)(InMemory|RabbitMq)$")]
    public string Transport { get; set; } = "InMemory";

    /// <summary>
    /// RabbitMQ connection URI, e.g. <c>amqp://user:password@broker:5672/vhost</c> (<c>amqps://</c> for TLS). Default none.
    /// When set it wins over <see cref="Host"/>, <see cref="Port"/>, <see cref="VirtualHost"/>, <see cref="Username"/>,
    /// <see cref="Password"/> and <see cref="UseTls"/>: it was the only setting before those existed.
    /// </summary>
    public Uri? RabbitMqUri { get; set; }

    /// <summary>RabbitMQ host name or address. Default <c>127.0.0.1</c> (a local broker).</summary>
    public string Host { get; set; } = "127.0.0.1";

    /// <summary>RabbitMQ AMQP port. Default 5672 (use 5671 with <see cref="UseTls"/>).</summary>
    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    /// <summary>RabbitMQ virtual host. Default <c>/</c>.</summary>
    [Required]
    public string VirtualHost { get; set; } = "/";

    /// <summary>RabbitMQ user. Default <c>guest</c> (which RabbitMQ only accepts from loopback).</summary>
    [Required]
    public string Username { get; set; } = "guest";

    /// <summary>RabbitMQ password. Default <c>guest</c>. Never logged; set it from a secret (<c>Annotate__Bus__Password</c>).</summary>
    public string Password { get; set; } = "guest";

    /// <summary>Connect with TLS, checking the broker's certificate against <see cref="Host"/>. Default false.</summary>
    public bool UseTls { get; set; }

    /// <summary>
    /// Declare the receive endpoints as quorum queues (replicated; needs RabbitMQ 3.8 or later). Default false: classic
    /// durable queues. An existing queue keeps its type: switching needs the queues deleted first.
    /// </summary>
    public bool QuorumQueues { get; set; }

    /// <summary>
    /// Messages the broker hands each receive endpoint before they are acknowledged. Default: the worker's
    /// <c>Annotate:Worker:ConcurrentDocuments</c>, so a worker holds no more documents than it can annotate and the
    /// others stay in the queue for other workers.
    /// </summary>
    [Range(1, 65535)]
    public int? PrefetchCount { get; set; }

    /// <summary>
    /// The broker's consumer acknowledgement timeout (RabbitMQ's <c>consumer_timeout</c>, 30 minutes unless the broker's
    /// configuration changes it). A delivery held longer is taken back and the channel closed, so a worker refuses to start
    /// when <c>Annotate:Worker:DocumentTimeout</c> plus <c>Annotate:Worker:ShutdownGrace</c> does not fit below it. Default 30 minutes.
    /// </summary>
    public TimeSpan ConsumerTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The prefetch count of receive endpoints: <see cref="PrefetchCount"/>, or <paramref name="defaultPrefetch"/> when not set.</summary>
    public ushort EffectivePrefetch(int defaultPrefetch) => (ushort)Math.Clamp(PrefetchCount ?? defaultPrefetch, 1, ushort.MaxValue);

    /// <summary>True when the RabbitMQ transport is selected.</summary>
    public bool UsesRabbitMq => string.Equals(Transport, "RabbitMq", StringComparison.OrdinalIgnoreCase);

    /// <summary>The broker to connect to: <see cref="RabbitMqUri"/> when set, otherwise the separate settings.</summary>
    public RabbitMqConnection Connection()
    {
        if (RabbitMqUri is not { } uri)
        {
            return new RabbitMqConnection(Host, Port, VirtualHost, Username, Password, UseTls);
        }
        var tls = string.Equals(uri.Scheme, "amqps", StringComparison.OrdinalIgnoreCase);
        var user = uri.UserInfo.Split(':', 2);
        var path = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        return new RabbitMqConnection(
            uri.Host,
            uri.IsDefaultPort || uri.Port < 0 ? (tls ? 5671 : 5672) : uri.Port,
            path.Length == 0 ? "/" : path,
            user[0].Length > 0 ? Uri.UnescapeDataString(user[0]) : Username,
            user.Length > 1 ? Uri.UnescapeDataString(user[1]) : Password,
            tls);
    }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (RabbitMqUri is { } uri && (!uri.IsAbsoluteUri || uri.Scheme is not ("amqp" or "amqps") || uri.Host.Length == 0))
        {
            // The URI's text is not repeated here: it may hold the password.
            yield return new ValidationResult("RabbitMqUri must be an absolute amqp:// or amqps:// URI with a host.", [nameof(RabbitMqUri)]);
        }
        if (RabbitMqUri is null && UsesRabbitMq && string.IsNullOrWhiteSpace(Host))
        {
            yield return new ValidationResult("Host is required for the RabbitMQ transport.", [nameof(Host)]);
        }
    }

    /// <summary>The settings without the password (it is never logged; the URI's user info is left out too).</summary>
    public override string ToString()
    {
        var c = Connection();
        return $"Transport={Transport} Host={c.Host} Port={c.Port} VirtualHost={c.VirtualHost} Username={c.Username} " +
            $"UseTls={c.UseTls} QuorumQueues={QuorumQueues} PrefetchCount={PrefetchCount?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "default"}";
    }
}

/// <summary>Where and as whom the hosts connect to RabbitMQ, from <see cref="BusOptions"/>.</summary>
/// <param name="Host">Host name or address.</param>
/// <param name="Port">AMQP port.</param>
/// <param name="VirtualHost">Virtual host.</param>
/// <param name="Username">User.</param>
/// <param name="Password">Password (never logged).</param>
/// <param name="UseTls">True for TLS.</param>
public sealed record RabbitMqConnection(string Host, int Port, string VirtualHost, string Username, string Password, bool UseTls)
{
    /// <summary>A RabbitMQ.Client connection factory for this broker, for topology MassTransit does not declare itself.</summary>
    public RabbitMQ.Client.ConnectionFactory CreateFactory(string clientName) => new()
    {
        HostName = Host,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = Username,
        Password = Password,
        ClientProvidedName = clientName,
        Ssl = new RabbitMQ.Client.SslOption { Enabled = UseTls, ServerName = Host },
    };

    /// <summary>Leaves the password out, so logging the connection cannot leak it.</summary>
    public override string ToString() => $"{(UseTls ? "amqps" : "amqp")}://{Username}@{Host}:{Port}/{(VirtualHost == "/" ? "" : VirtualHost)}";
}
