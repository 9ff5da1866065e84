namespace CaseSystem.CardStation.Jpki;

/// <summary>A certificate's notAfter as the date it falls on in Japan (UTC+9, no daylight saving).</summary>
public static class JapanDate
{
    private static readonly TimeSpan Offset = TimeSpan.FromHours(9);

    /// <param name="notAfter">As <see cref="System.Security.Cryptography.X509Certificates.X509Certificate2.NotAfter"/> gives it: local time.</param>
    public static DateOnly Of(DateTime notAfter) =>
        DateOnly.FromDateTime(new DateTimeOffset(notAfter.ToUniversalTime(), TimeSpan.Zero).ToOffset(Offset).DateTime);
}
