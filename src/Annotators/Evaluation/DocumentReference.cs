namespace Annotate.Annotators.Evaluation;

/// <summary>What one document should have produced: the content of one reference file.</summary>
/// <param name="Document">Name of the document the reference is for (its file name, with or without the extension).</param>
/// <param name="Source">Name of the reference file (or zip entry, or JSON property) it was read from, for messages.</param>
/// <param name="Values">Expected structured values and text fields, in the file's order.</param>
/// <param name="QuestionAnswers">Expected question–answer pairs.</param>
public sealed record DocumentReference(
    string Document,
    string Source,
    IReadOnlyList<ExpectedValue> Values,
    IReadOnlyList<ExpectedAnswer> QuestionAnswers);

/// <summary>One expected value.</summary>
/// <param name="Field">Name in the report: <c>documentType</c>, <c>title</c>, <c>summary</c>, <c>fields.&lt;name&gt;</c>, <c>keyValues.&lt;key&gt;</c>.</param>
/// <param name="Section">Where the produced value is read: one of the <c>Section*</c> constants of <see cref="ReferenceReader"/>.</param>
/// <param name="Name">The field's name inside its section (a field name or JSON Pointer, a key-value key); empty for the others.</param>
/// <param name="Value">The expected value as text (a JSON number as written).</param>
/// <param name="Kind">How it is compared; <see cref="FieldKind.Auto"/> is resolved from the value when read.</param>
public sealed record ExpectedValue(string Field, string Section, string Name, string Value, FieldKind Kind);

/// <summary>One expected question and its answer.</summary>
public sealed record ExpectedAnswer(string Question, string Answer);
