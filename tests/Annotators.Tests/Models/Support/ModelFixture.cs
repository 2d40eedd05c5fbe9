namespace Annotate.Annotators.Tests.Models.Support;

/// <summary>Loads the real test model once for a test class.</summary>
public sealed class ModelFixture : IDisposable
{
    public DirectLlamaModel Model { get; } = DirectLlamaModel.LoadTestModel();

    public void Dispose() => Model.Dispose();
}
