using System.Buffers.Binary;
using System.Text;

namespace Annotate.Annotators.Tests.Models.Support;

/// <summary>
/// Writes a copy of a GGUF file with a <c>tokenizer.chat_template</c> entry added, so the chat-template path is
/// tested on the real tiny model. The entry goes first in the key–value list and is padded to a multiple of 256
/// bytes, so every later section keeps its alignment and the tensor offsets stay valid.
/// </summary>
internal static class GgufWithTemplate
{
    public const string ChatMl =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
        + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    public static void Write(string source, string target, string template)
    {
        var bytes = File.ReadAllBytes(source);
        if (!bytes.AsSpan(0, 4).SequenceEqual("GGUF"u8) || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(4)) < 2)
        {
            throw new InvalidDataException($"{source} is not a GGUF v2+ file.");
        }
        const int headerLength = 4 + 4 + 8 + 8;
        var key = "tokenizer.chat_template"u8.ToArray();
        var fixedLength = 8 + key.Length + 4 + 8;
        var value = Encoding.UTF8.GetBytes(template);
        var padding = (256 - ((fixedLength + value.Length + 4) % 256)) % 256;
        value = Encoding.UTF8.GetBytes(template + "{#" + new string(' ', padding) + "#}");

        using var output = new MemoryStream();
        output.Write(bytes, 0, headerLength);
        var entry = new byte[fixedLength + value.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(entry, (ulong)key.Length);
        key.CopyTo(entry, 8);
        BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(8 + key.Length), 8); // GGUF type: string
        BinaryPrimitives.WriteUInt64LittleEndian(entry.AsSpan(12 + key.Length), (ulong)value.Length);
        value.CopyTo(entry, fixedLength);
        if (entry.Length % 256 != 0)
        {
            throw new InvalidOperationException("padding arithmetic is off");
        }
        output.Write(entry);
        output.Write(bytes, headerLength, bytes.Length - headerLength);
        var result = output.ToArray();
        var kvCount = BinaryPrimitives.ReadUInt64LittleEndian(result.AsSpan(16));
        BinaryPrimitives.WriteUInt64LittleEndian(result.AsSpan(16), kvCount + 1);
        File.WriteAllBytes(target, result);
    }
}
