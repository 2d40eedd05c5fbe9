namespace Annotate.Worker.Testing;

/// <summary>
/// Test-only hook that lets a document crash the process the way a native fault in a parser or llama.cpp would
/// (configuration section <c>Annotate:Worker:FaultInjection</c>). Refused at start-up in the Production environment.
/// </summary>
public sealed class FaultInjectionOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Worker:FaultInjection";

    /// <summary>Whether documents starting with one of the <see cref="FaultInjection"/> markers (crash, abort, stack overflow, unbounded allocation, hang) take down the process annotating them. Default false.</summary>
    public bool Enabled { get; set; }
}
