namespace Annotate.Annotators.Builtin;

/// <summary>The entity types the pattern recognizer reports, as written in <c>annotations.json</c>.</summary>
public static class EntityTypes
{
    /// <summary>An e-mail address.</summary>
    public const string Email = "email";
    /// <summary>A web address.</summary>
    public const string Url = "url";
    /// <summary>A phone number, normalised to E.164.</summary>
    public const string Phone = "phone";
    /// <summary>A calendar date, normalised to <c>yyyy-MM-dd</c>.</summary>
    public const string Date = "date";
    /// <summary>An amount of money with its currency.</summary>
    public const string Money = "money";
    /// <summary>A percentage.</summary>
    public const string Percentage = "percentage";
    /// <summary>An International Bank Account Number.</summary>
    public const string Iban = "iban";
    /// <summary>A VAT identification number.</summary>
    public const string VatId = "vat-id";
}
