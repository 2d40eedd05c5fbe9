using System.ComponentModel.DataAnnotations;

namespace Annotate.Annotators.Models;

/// <summary>The local language model and how it runs (configuration section <c>Annotate:Model</c>).</summary>
public sealed class ModelOptions
{
    /// <summary>Configuration section.</summary>
    public const string Section = "Annotate:Model";

    /// <summary>
    /// GGUF file to load: a path, or the name of a file in <see cref="ModelsFolder"/>. Empty (the default) means no
    /// model: model annotators are skipped and everything else works.
    /// </summary>
    public string? Path { get; set; }

    /// <summary>Folder <c>models pull</c> downloads into and bare file names are looked up in. Default <c>models</c>.</summary>
    [Required]
    public string ModelsFolder { get; set; } = "models";

    /// <summary>Context size in tokens shared by all parallel sequences; 0 uses the model's training context. Default 4096.</summary>
    [Range(0, 1_048_576)]
    public int ContextSize { get; set; } = 4096;

    /// <summary>Layers offloaded to the GPU (needs the CUDA build, see README); 0 runs on the CPU. Default 0.</summary>
    [Range(0, 1000)]
    public int GpuLayerCount { get; set; }

    /// <summary>CPU threads for decoding; 0 uses one per core. Default 0.</summary>
    [Range(0, 1024)]
    public int Threads { get; set; }

    /// <summary>Largest number of tokens decoded in one batch. Default 512.</summary>
    [Range(1, 65_536)]
    public int BatchSize { get; set; } = 512;

    /// <summary>Use flash attention where the backend supports it. Default false.</summary>
    public bool FlashAttention { get; set; }

    /// <summary>Sequences (documents or chunks) decoded together in one batch. Default 8.</summary>
    [Range(1, 256)]
    public int ParallelSequences { get; set; } = 8;

    /// <summary>Most tokens one answer may have. Default 512.</summary>
    [Range(1, 65_536)]
    public int MaxOutputTokens { get; set; } = 512;

    /// <summary>Time one model call may take before it fails with <c>model-timeout</c>. Default 2 minutes.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Sampling temperature; 0 (the default) decodes greedily, so the same input gives the same output.</summary>
    [Range(0.0, 2.0)]
    public float Temperature { get; set; }

    /// <summary>Seed of the sampler when <see cref="Temperature"/> is above 0. Default 42.</summary>
    public uint Seed { get; set; } = 42;

    /// <summary>True when a model is configured.</summary>
    public bool IsConfigured => !string.IsNullOrWhiteSpace(Path);
}
