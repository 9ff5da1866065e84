namespace CaseSystem.Cases.Api.Validation;

/// <summary>
/// The bounds of what a command request may carry. Lengths count UTF-16 code units (a kanji
/// outside the basic plane counts two). Each is generous for a real counter and small enough
/// that nothing a wall display or the immutable log cannot hold gets in.
/// </summary>
public static class RequestBounds
{
    /// <summary>Name in kanji or kana (a foreign resident's name in katakana or letters can be long).</summary>
    public const int Name = 100;

    /// <summary>A registered address (住所), with building and room.</summary>
    public const int Address = 200;

    /// <summary>A J-LIS expiry notice's number (通知番号), as a notice file brings it and the case finder looks it up.</summary>
    public const int NoticeNumber = 40;

    /// <summary>A queue ticket number as the wall display shows it ("A-123").</summary>
    public const int TicketNumber = 16;

    /// <summary>A counter's name within an office ("1番窓口"), one of the office's counters in its profile, which are held to the same bound.</summary>
    public const int Counter = Policies.OfficePolicy.MaxCounterNameLength;

    /// <summary>A staff member's id (the calling clerk) and a card station's id (a host name).</summary>
    public const int StaffId = 64;

    public const int StationId = 64;

    /// <summary>A certificate serial number in hexadecimal (X.509 allows 20 octets: 40 digits).</summary>
    public const int CertificateSerial = 64;

    /// <summary>A document kind's code ("driving-licence"), one the municipality's profile knows or one with a role of its own (<see cref="Renewal.DocumentKinds"/>).</summary>
    public const int DocumentKind = 64;

    /// <summary>Free text: why a document inquiry is mailed (tabs and line breaks allowed).</summary>
    public const int Reason = 500;

    /// <summary>Documents shown at one visit.</summary>
    public const int Documents = 20;

    /// <summary>A request body of a command, in bytes (the largest real one, a visit with every document, is about 3 KB).</summary>
    public const int BodyBytes = 64 * 1024;

    /// <summary>No one alive was born before this; no identity document was issued before it.</summary>
    public static readonly DateOnly EarliestBirthDate = new(1900, 1, 1);

    /// <summary>My Number Cards (and their certificates) were first issued in January 2016.</summary>
    public static readonly DateOnly EarliestCertificateExpiry = new(2016, 1, 1);

    /// <summary>A certificate or card expires at most ten years after today (a card of an adult; a certificate five).</summary>
    public const int CertificateExpiryYearsAhead = 10;

    /// <summary>The birth dates taken, by a command and by a notice file alike: from 1900 to today.</summary>
    public static (DateOnly From, DateOnly To) BirthDates(DateOnly today) => (EarliestBirthDate, today);

    /// <summary>The certificate expiries taken, by a command and by a notice file alike: from 2016 to ten years ahead.</summary>
    public static (DateOnly From, DateOnly To) CertificateExpiries(DateOnly today) => (EarliestCertificateExpiry, today.AddYears(CertificateExpiryYearsAhead));

    /// <summary>An identity document's expiry at most this far ahead.</summary>
    public const int DocumentValidityYearsAhead = 30;

    /// <summary>A reservation's slot: recorded up to 30 days after it, booked up to a year ahead.</summary>
    public const int ReservationDaysBack = 30;

    public const int ReservationDaysAhead = 366;
}
