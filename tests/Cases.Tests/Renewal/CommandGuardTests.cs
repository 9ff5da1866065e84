using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Renewal;

/// <summary>Defence in depth: the decider refuses a command with a hole in it instead of making an event with one, whoever sent it.</summary>
public sealed class CommandGuardTests : DeciderSpec
{
    public static TheoryData<RenewalCommand, bool, string> Malformed() => new()
    {
        { new OpenCaseAtCounter(null!, Expiring, "shimin-ka", Monday10), false, "OpenCaseAtCounter.Holder" },
        { new OpenCaseAtCounter(Adult with { NameKana = null! }, Expiring, "shimin-ka", Monday10), false, "OpenCaseAtCounter.Holder.NameKana" },
        { new OpenCaseAtCounter(Adult, null!, "shimin-ka", Monday10), false, "OpenCaseAtCounter.Expiry" },
        { new OpenCaseAtCounter(Adult, Expiring, null!, Monday10), false, "OpenCaseAtCounter.Office" },
        { new RecordExpiryNotice(" ", Adult, Expiring, "JLIS-2026-03", Monday10), false, "RecordExpiryNotice.NoticeNumber" },
        { new RecordArrival("shimin-ka", "", Monday10), true, "RecordArrival.TicketNumber" },
        { new StartVisit("shimin-ka", (WhoCame)7, [], Monday10), true, "StartVisit.WhoCame" },
        { new StartVisit("shimin-ka", WhoCame.Holder, null!, Monday10), true, "StartVisit.Documents" },
        { new StartVisit("shimin-ka", WhoCame.Holder, [Licence(), null!], Monday10), true, "StartVisit.Documents[1]" },
        { new StartVisit("shimin-ka", WhoCame.Holder, [new PresentedDocument(null!, DocumentOwner.Holder)], Monday10), true, "StartVisit.Documents[0].Kind" },
        { new RecordPinCheck((Certificate)7, PinCheckResult.Matched, 3, Monday10), true, "RecordPinCheck.Certificate" },
        { new RenewCertificates([Certificate.Signing, (Certificate)9], Monday10), true, "RenewCertificates.Certificates[1]" },
        { new MailDocumentInquiry(null!, Monday10), true, "MailDocumentInquiry.Reason" },
        { new CloseCase((CaseClosure)(-1), Monday10), true, "CloseCase.Closure" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_command_with_a_hole_is_refused_before_any_event_is_made(RenewalCommand command, bool onAnOpenCase, string where)
    {
        if (onAnOpenCase) Given(Noticed(Adult));
        var violation = ThenRefused(command, CommandGuard.Malformed);
        Assert.Equal(where, violation.Detail);
    }

    [Fact]
    public void A_document_without_dates_is_whole()
    {
        Given(Noticed(Adult)).Then(new StartVisit("shimin-ka", WhoCame.Holder, [new PresentedDocument("passport", DocumentOwner.Holder)], Monday10),
            new RenewalEvent.VisitStarted(1, "shimin-ka", WhoCame.Holder, [new ShownDocument("passport", DocumentList.A, DocumentOwner.Holder, null, null)],
                ReplyForm.NotApplicable, true, Monday10),
            new RenewalEvent.IdentityAccepted(1, Rules.HolderPresence.Id, Monday10));
    }

    [Fact]
    public void A_holder_without_a_signing_certificate_is_whole() =>
        Then(new OpenCaseAtCounter(Child, Expiring with { SigningExpiry = null }, "shimin-ka", Monday10),
            new RenewalEvent.CaseOpenedAtCounter(Child, Expiring with { SigningExpiry = null }, "shimin-ka", Monday10));
}
