using System.ComponentModel.DataAnnotations;

namespace Annotate.Worker;

/// <summary>Which message transport the hosts use (configuration section <c>Annotate:Bus</c>).</summary>
public sealed class BusOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Bus";

    /// <summary><c>InMemory</c> (default: one process, nothing to set up) or <c>RabbitMq</c>.</summary>
    [Required]
    [RegularExpression("^(?i)(InMemory|RabbitMq)$")]
    public string Transport { get; set; } = "InMemory";

    /// <summary>RabbitMQ connection URI, e.g. <c>amqp://guest:guest@127.0.0.1:5672/</c>. Default the local broker.</summary>
    public Uri RabbitMqUri { get; set; } = new("amqp://guest:guest@127.0.0.1:5672/");

    /// <summary>True when the RabbitMQ transport is selected.</summary>
    public bool UsesRabbitMq => string.Equals(Transport, "RabbitMq", StringComparison.OrdinalIgnoreCase);
}
