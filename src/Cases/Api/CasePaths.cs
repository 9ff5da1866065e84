namespace CaseSystem.Cases.Api;

/// <summary>
/// The case commands' paths, once: the endpoints are mapped on them and the case view's
/// <c>allowedActions</c> names them (<see cref="CaseView.PathOf"/>), so the two cannot drift apart.
/// </summary>
public static class CasePaths
{
    /// <summary>Every case command's route starts here.</summary>
    public const string Case = "/api/{municipality}/cases/{caseId}/";

    public const string Reserve = "reservations";
    public const string Arrive = "arrivals";
    public const string Call = "calls";
    public const string ReadCard = "card-reads";
    public const string StartVisit = "visits";
    public const string EndVisit = "visits/current/end";
    public const string CheckPin = "pin-checks";
    public const string ResetPin = "pin-resets";
    public const string MailInquiry = "inquiries";
    public const string ReceiveReply = "inquiry-replies";
    public const string Renew = "renewals";
    public const string ReportRegistryChange = "registry-changes";
    public const string CompleteRegistryChange = "registry-changes/completed";
    public const string Close = "closure";
    public const string DropTicket = "tickets/current/drop";
    public const string VoidEntry = "voided-entries";
    public const string AmendVisitOutcome = "visit-outcome-amendments";
    public const string AmendVisitDocuments = "visits/current/documents";
}
