using Annotate.Annotators.Models;
using Annotate.Annotators.Pipeline;
using Annotate.Messages;
using Annotate.Worker.Consumers;
using Annotate.Worker.Testing;

namespace Annotate.Worker.Pipeline;

/// <summary>Runs the pipeline inside this process (<c>Annotate:Worker:Isolation:Enabled</c> false, and inside the pipeline child).</summary>
public sealed class InProcessDocumentRunner(IDocumentPipeline pipeline, ILanguageModel model, FaultInjection faults) : IDocumentRunner
{
    /// <inheritdoc />
    public string? ModelSha256 => model.Status.IsAvailable ? model.Status.Sha256 : null;

    /// <inheritdoc />
    public async Task<DocumentRunResult> RunAsync(AnnotationRequest request, CancellationToken cancellationToken)
    {
        faults.BeforeWork(request.Source.Path);
        var result = await pipeline.RunAsync(request, cancellationToken);
        return new DocumentRunResult
        {
            Outputs = result.Outputs.Select(o => new OutputFile { Name = o.Name, Kind = o.Kind, MediaType = o.MediaType, SizeBytes = o.SizeBytes }).ToList(),
            Digest = DigestBuilder.From(result),
            ReadTime = result.ReadTime,
            AnnotateTime = result.AnnotateTime,
            WriteTime = result.WriteTime,
            ProfileFingerprint = result.Profile.Fingerprint(),
            ModelSha256 = ModelSha256,
            ModelTokensIn = result.ModelTokensIn,
            ModelTokensOut = result.ModelTokensOut,
            Parts = result.Parts,
        };
    }
}
