namespace Annotate.Annotators.Builtin;

/// <summary>Check-digit algorithms of bank account and tax identifiers; each takes compact upper-case input.</summary>
internal static class Checksums
{
    // Lengths of the IBAN of each country in the SWIFT IBAN registry; a checksum alone would accept
    // a valid-looking string of the wrong length.
    private static readonly Dictionary<string, int> IbanLengths = new(StringComparer.Ordinal)
    {
        ["AD"] = 24, ["AE"] = 23, ["AL"] = 28, ["AT"] = 20, ["AZ"] = 28, ["BA"] = 20, ["BE"] = 16, ["BG"] = 22,
        ["BH"] = 22, ["BI"] = 27, ["BR"] = 29, ["BY"] = 28, ["CH"] = 21, ["CR"] = 22, ["CY"] = 28, ["CZ"] = 24,
        ["DE"] = 22, ["DJ"] = 27, ["DK"] = 18, ["DO"] = 28, ["EE"] = 20, ["EG"] = 29, ["ES"] = 24, ["FI"] = 18,
        ["FK"] = 18, ["FO"] = 18, ["FR"] = 27, ["GB"] = 22, ["GE"] = 22, ["GI"] = 23, ["GL"] = 18, ["GR"] = 27,
        ["GT"] = 28, ["HN"] = 28, ["HR"] = 21, ["HU"] = 28, ["IE"] = 22, ["IL"] = 23, ["IQ"] = 23, ["IS"] = 26,
        ["IT"] = 27, ["JO"] = 30, ["KW"] = 30, ["KZ"] = 20, ["LB"] = 28, ["LC"] = 32, ["LI"] = 21, ["LT"] = 20,
        ["LU"] = 20, ["LV"] = 21, ["LY"] = 25, ["MC"] = 27, ["MD"] = 24, ["ME"] = 22, ["MK"] = 19, ["MN"] = 20,
        ["MR"] = 27, ["MT"] = 31, ["MU"] = 30, ["NI"] = 28, ["NL"] = 18, ["NO"] = 15, ["OM"] = 23, ["PK"] = 24,
        ["PL"] = 28, ["PS"] = 29, ["PT"] = 25, ["QA"] = 29, ["RO"] = 24, ["RS"] = 22, ["RU"] = 33, ["SA"] = 24,
        ["SC"] = 31, ["SD"] = 18, ["SE"] = 24, ["SI"] = 19, ["SK"] = 24, ["SM"] = 27, ["SO"] = 23, ["ST"] = 25,
        ["SV"] = 28, ["TL"] = 23, ["TN"] = 24, ["TR"] = 26, ["UA"] = 29, ["VA"] = 22, ["VG"] = 24, ["XK"] = 20,
        ["YE"] = 30,
    };

    /// <summary>The IBAN length of a country, or 0 when the country issues no IBANs.</summary>
    public static int IbanLength(string country) => IbanLengths.GetValueOrDefault(country);

    /// <summary>ISO 13616: right length for the country, check digits 02–98, and mod 97 of the rearranged number is 1.</summary>
    public static bool IsValidIban(string iban)
    {
        if (iban.Length < 5 || IbanLength(iban[..2]) != iban.Length || !char.IsAsciiDigit(iban[2]) || !char.IsAsciiDigit(iban[3]))
        {
            return false;
        }
        var remainder = 0;
        for (var i = 0; i < iban.Length; i++)
        {
            var c = iban[(i + 4) % iban.Length];
            if (char.IsAsciiDigit(c))
            {
                remainder = ((remainder * 10) + (c - '0')) % 97;
            }
            else if (char.IsAsciiLetterUpper(c))
            {
                remainder = ((remainder * 100) + (c - 'A' + 10)) % 97;
            }
            else
            {
                return false;
            }
        }
        return remainder == 1;
    }

    /// <summary>Validates a VAT id given as country prefix plus compact number, e.g. <c>DE136695976</c>.</summary>
    public static bool IsValidVatId(string country, string number) => country switch
    {
        "DE" => number.Length == 9 && AllDigits(number) && IsValidMod11_10(number),
        "NL" => IsValidDutchVat(number),
        "BE" => number.Length == 10 && AllDigits(number) && number[0] is '0' or '1'
            && 97 - (long.Parse(number.AsSpan(0, 8), provider: System.Globalization.CultureInfo.InvariantCulture) % 97) == int.Parse(number.AsSpan(8), provider: System.Globalization.CultureInfo.InvariantCulture),
        "IT" => number.Length == 11 && AllDigits(number) && IsValidLuhn(number),
        "FR" => IsValidFrenchVat(number),
        "ES" => IsValidSpanishVat(number),
        "GB" => IsValidBritishVat(number),
        _ => false,
    };

    /// <summary>ISO 7064 MOD 11,10, used by German VAT ids.</summary>
    public static bool IsValidMod11_10(ReadOnlySpan<char> digits)
    {
        var product = 10;
        for (var i = 0; i < digits.Length - 1; i++)
        {
            var sum = (digits[i] - '0' + product) % 10;
            if (sum == 0)
            {
                sum = 10;
            }
            product = 2 * sum % 11;
        }
        var check = 11 - product;
        if (check == 10)
        {
            check = 0;
        }
        return check == digits[^1] - '0';
    }

    /// <summary>The Luhn check used by Italian VAT ids (partita IVA).</summary>
    public static bool IsValidLuhn(ReadOnlySpan<char> digits)
    {
        var total = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                if (d > 9)
                {
                    d -= 9;
                }
            }
            total += d;
        }
        return total % 10 == 0;
    }

    private static bool IsValidDutchVat(string number)
    {
        // 123456789B01: the old form checks the nine digits with weights 9..2 modulo 11; the form issued to
        // sole traders since 2020 only satisfies ISO 7064 mod 97 over the whole id, country included.
        if (number.Length != 12 || number[9] != 'B' || !AllDigits(number.AsSpan(0, 9)) || !AllDigits(number.AsSpan(10)))
        {
            return false;
        }
        var sum = 0;
        for (var i = 0; i < 8; i++)
        {
            sum += (number[i] - '0') * (9 - i);
        }
        if (sum % 11 == number[8] - '0')
        {
            return true;
        }
        return Mod97("NL" + number) == 1;
    }

    private static bool IsValidFrenchVat(string number)
    {
        // FR + 2-character key + 9-digit SIREN; the numeric key is (12 + 3 × (SIREN mod 97)) mod 97.
        // Alphanumeric keys have no published check, so they are not reported.
        if (number.Length != 11 || !AllDigits(number))
        {
            return false;
        }
        var siren = long.Parse(number.AsSpan(2), provider: System.Globalization.CultureInfo.InvariantCulture);
        var key = int.Parse(number.AsSpan(0, 2), provider: System.Globalization.CultureInfo.InvariantCulture);
        return (12 + (3 * (siren % 97))) % 97 == key;
    }

    private static bool IsValidSpanishVat(string number)
    {
        if (number.Length != 9)
        {
            return false;
        }
        const string dniLetters = "TRWAGMYFPDXBNJZSQVHLCKE";
        var first = number[0];
        if (char.IsAsciiDigit(first) || first is 'X' or 'Y' or 'Z')
        {
            // DNI (8 digits + letter) or NIE (X/Y/Z + 7 digits + letter, X/Y/Z standing for 0/1/2).
            var prefix = first switch { 'X' => '0', 'Y' => '1', 'Z' => '2', _ => first };
            var digits = prefix + number[1..8];
            if (!AllDigits(digits))
            {
                return false;
            }
            var n = int.Parse(digits, provider: System.Globalization.CultureInfo.InvariantCulture);
            return dniLetters[n % 23] == number[8];
        }
        if (!char.IsAsciiLetterUpper(first) || !AllDigits(number.AsSpan(1, 7)))
        {
            return false;
        }
        // CIF: a letter, seven digits and a control digit or letter computed like a Luhn sum.
        var sum = 0;
        for (var i = 1; i <= 7; i++)
        {
            var d = number[i] - '0';
            if (i % 2 == 1)
            {
                d *= 2;
                d = (d / 10) + (d % 10);
            }
            sum += d;
        }
        var control = (10 - (sum % 10)) % 10;
        var last = number[8];
        return last == (char)('0' + control) || last == "JABCDEFGHI"[control];
    }

    private static bool IsValidBritishVat(string number)
    {
        // 9 digits (or 12 with a branch suffix): weights 8..2 plus the two check digits must be 0 mod 97,
        // or 0 mod 97 after adding 55 for numbers issued since 2010 ("9755").
        if ((number.Length != 9 && number.Length != 12) || !AllDigits(number))
        {
            return false;
        }
        var sum = 0;
        for (var i = 0; i < 7; i++)
        {
            sum += (number[i] - '0') * (8 - i);
        }
        sum += ((number[7] - '0') * 10) + (number[8] - '0');
        return sum % 97 == 0 || (sum + 55) % 97 == 0;
    }

    private static int Mod97(string value)
    {
        var remainder = 0;
        foreach (var c in value)
        {
            remainder = char.IsAsciiDigit(c)
                ? ((remainder * 10) + (c - '0')) % 97
                : ((remainder * 100) + (char.ToUpperInvariant(c) - 'A' + 10)) % 97;
        }
        return remainder;
    }

    private static bool AllDigits(ReadOnlySpan<char> text)
    {
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }
        return text.Length > 0;
    }
}
