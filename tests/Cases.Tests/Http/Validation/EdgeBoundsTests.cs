using CaseSystem.Cases.Api;
using CaseSystem.Cases.Api.Validation;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;
using CaseSystem.Cases.Tests.Support;
using Wolverine.Http;

namespace CaseSystem.Cases.Tests.Http.Validation;

/// <summary>The edge's checks that follow the profiles and the card (no server): what they let through, the decider takes.</summary>
public sealed class EdgeBoundsTests
{
    private static readonly TimeProvider Clock = new TestClock(new DateTimeOffset(2026, 3, 16, 1, 0, 0, TimeSpan.Zero));

    public static TheoryData<string> Municipalities() => [.. MunicipalPolicies.All.Keys];

    [Theory]
    [MemberData(nameof(Municipalities))]
    public void Every_document_kind_of_the_profile_and_every_kind_with_a_role_passes_the_edge(string municipality)
    {
        var policy = MunicipalPolicies.All[municipality];
        var office = policy.Offices[0].Id;
        foreach (var kind in policy.IdentityDocuments.Select(d => d.Code).Concat(DocumentKinds.WithRole))
        {
            var problem = CommandRequestValidation.Validate(new VisitRequest(office, WhoCame.Holder, [new PresentedDocument(kind, DocumentOwner.Holder)]), municipality, Clock);
            Assert.True(ReferenceEquals(WolverineContinue.NoProblems, problem), $"{municipality} {kind}: {problem.Detail}");
        }
        var unknown = CommandRequestValidation.Validate(new VisitRequest(office, WhoCame.Holder, [new PresentedDocument("library-card", DocumentOwner.Holder)]), municipality, Clock);
        Assert.Equal(["documents[0].kind"], ((IReadOnlyDictionary<string, string[]>)unknown.Extensions[InvalidRequest.ErrorsKey]!).Keys);
    }

    [Theory]
    [InlineData(Certificate.UserAuthentication, 3, true)]
    [InlineData(Certificate.UserAuthentication, 4, false)]
    [InlineData(Certificate.Signing, 5, true)]
    [InlineData(Certificate.Signing, 6, false)]
    [InlineData(Certificate.Signing, 0, true)]
    [InlineData(Certificate.UserAuthentication, -1, false)]
    public void Tries_left_are_bounded_by_the_certificates_own_limit(Certificate certificate, int triesLeft, bool passes)
    {
        var check = CommandRequestValidation.Validate(new PinCheckRequest(certificate, PinCheckResult.Matched, triesLeft), "hirosaki", Clock);
        Assert.Equal(passes, ReferenceEquals(WolverineContinue.NoProblems, check));
        var (user, signing) = certificate == Certificate.UserAuthentication ? (triesLeft, 5) : (3, triesLeft);
        var read = CommandRequestValidation.Validate(new CardReadRequest("st-1", "0A1B", new DateOnly(2026, 6, 15), user, signing), "hirosaki", Clock);
        Assert.Equal(passes, ReferenceEquals(WolverineContinue.NoProblems, read));
        Assert.Equal(Pins.MaxTries(certificate), certificate == Certificate.UserAuthentication ? 3 : 5);
    }
}
