using CaseSystem.Cases.Api;
using CaseSystem.Cases.Renewal;
using static CaseSystem.Cases.Renewal.RenewalCommand;
using static CaseSystem.Cases.Renewal.RenewalEvent;
using static CaseSystem.Cases.Tests.Renewal.Cases;

namespace CaseSystem.Cases.Tests.Renewal;

/// <summary>The card read again after the J-LIS terminal renewed its certificates: the evidence of the new expiry.</summary>
public sealed class CardReReadTests : DeciderSpec
{
    private static readonly Certificate[] Both = [Certificate.UserAuthentication, Certificate.Signing];
    private static readonly DateOnly NewExpiry = new(2030, 6, 15);
    private static readonly DateTimeOffset Later = Monday10.AddMinutes(20);

    private static readonly RenewalEvent[] Renewed =
    [
        Noticed(Adult),
        new VisitStarted(1, "市民課", WhoCame.Holder, [], ReplyForm.NotApplicable, true, Monday10),
        new IdentityAccepted(1, Rules.HolderPresence.Id, Monday10),
        new CardRead("station-1", "0A1B", Expiring.UserAuthenticationExpiry, 3, 5, Monday10),
        new PinMatched(Certificate.UserAuthentication, Monday10),
        new PinMatched(Certificate.Signing, Monday10),
        new CertificatesRenewed(Both, NewExpiry, 0, Monday10),
    ];

    private static IReadOnlyList<ChecklistItem> ChecklistAfter(params RenewalEvent[] events) =>
        Checklist.For(((RenewalState.Active)RenewalState.Fold(events)).Case, JapanTime.DateOf(Later));

    [Fact]
    [Trait("seed", Rule.Seeds.DomainDefaults)]
    public void A_card_read_after_the_renewal_is_recorded_with_the_new_expiry()
    {
        Given(Renewed).Then(new RecordCardRead("station-1", "0C2D", NewExpiry, 3, 5, Later),
            new CardRead("station-1", "0C2D", NewExpiry, 3, 5, Later));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.DomainDefaults)]
    public void The_case_asks_for_the_re_read_until_the_card_shows_the_new_expiry()
    {
        Assert.Equal(["renewed", "re-read-card"], ChecklistAfter(Renewed).Select(i => i.Code));

        var confirmed = Renewed.Append(new CardRead("station-1", "0C2D", NewExpiry, 3, 5, Later)).ToArray();
        Assert.Equal(["renewed", "renewal-on-card"], ChecklistAfter(confirmed).Select(i => i.Code));
        var card = ((RenewalState.Active)RenewalState.Fold(confirmed)).Case.LastCardRead;
        Assert.Equal(new CardShown("0C2D", NewExpiry, Later, AfterRenewal: true), card);

        var stale = Renewed.Append(new CardRead("station-1", "0A1B", Expiring.UserAuthenticationExpiry, 3, 5, Later)).ToArray();
        Assert.Equal(["renewed", "card-expiry-differs"], ChecklistAfter(stale).Select(i => i.Code));
    }

    [Fact]
    [Trait("seed", Rule.Seeds.DomainDefaults)]
    public void A_read_before_the_renewal_is_no_evidence_of_it()
    {
        var file = ((RenewalState.Active)RenewalState.Fold(Renewed)).Case;
        Assert.False(file.LastCardRead!.AfterRenewal);
    }

    [Fact]
    [Trait("seed", Rule.Seeds.DomainDefaults)]
    public void A_case_closed_as_renewed_still_takes_the_re_read_and_no_other_command()
    {
        var closed = Renewed.Append(new CaseClosed(CaseClosure.Renewed, Later)).ToArray();
        Given(closed).Then(new RecordCardRead("station-1", "0C2D", NewExpiry, 3, 5, Later),
            new CardRead("station-1", "0C2D", NewExpiry, 3, 5, Later));
        ThenRefused(new RecordArrival("市民課", "A-002", Later), Rules.CaseClosed);

        var state = RenewalState.Fold(closed.Append(new CardRead("station-1", "0C2D", NewExpiry, 3, 5, Later)));
        Assert.True(Assert.IsType<RenewalState.Closed>(state).Case.LastCardRead!.AfterRenewal);
    }

    [Fact]
    public void A_case_closed_otherwise_refuses_a_card_read()
    {
        Given(Noticed(Adult), new CaseClosed(CaseClosure.Withdrawn, Monday10))
            .ThenRefused(new RecordCardRead("station-1", "0A1B", Expiring.UserAuthenticationExpiry, 3, 5, Later), Rules.CaseClosed);
    }
}
