namespace Annotate.Annotators.Embeddings;

/// <summary>How the sentence encoder's matrix weights are held and multiplied (<see cref="EmbeddingOptions.Precision"/>).</summary>
public enum EncoderPrecision
{
    /// <summary>32-bit floats, as the model ships: the vectors every threshold was measured with.</summary>
    Float32,

    /// <summary>
    /// 8-bit integers with a scale per column, each layer's input quantized as it comes (ONNX Runtime's dynamic
    /// quantization): about 1.4 times the sentences per second and a quarter of the weights' memory, for vectors within
    /// about 0.99 cosine of the 32-bit ones.
    /// </summary>
    Int8,
}
