using CaseSystem.Cases.Policies;

namespace CaseSystem.Cases.Tests.Policies;

/// <summary>
/// What a refused identity check names as still to be shown (issue 13: which requirement failed,
/// not the whole of it), for the combinations the seeds use: A×1 (000), A×1 or B×2 (001), and a
/// document of list A counting wherever one of list B is asked.
/// </summary>
public sealed class IdentityShortfallTests
{
    [Theory]
    [InlineData(1, 0, 0, 0, 2, "あとA1点")]
    [InlineData(0, 2, 0, 0, 1, "あとB1点")]
    [InlineData(1, 1, 0, 1, 0, "あとB1点")]
    [InlineData(1, 0, 1, 0, 1, "あとA1点")]
    [InlineData(1, 0, 1, 0, 0, "あとA1点とほかに1点")]
    [InlineData(0, 0, 2, 1, 0, "あとAまたはBから1点")]
    public void A_combination_names_only_what_is_still_short(int a, int b, int any, int shownA, int shownB, string expected)
    {
        Assert.Equal(expected, new IdentityCombination(a, b, any).ShortfallJa(shownA, shownB));
    }

    [Fact]
    public void A_combination_met_has_no_shortfall_and_a_document_of_list_A_counts_for_one_of_B()
    {
        Assert.Null(new IdentityCombination(1, 1, 0).ShortfallJa(2, 0));
        Assert.Null(new IdentityCombination(0, 2, 0).ShortfallJa(1, 1));
    }

    [Fact]
    [Trait("seed", "001_1357219a37cf8bc2.txt")]
    public void Where_either_way_will_do_both_are_named_001()
    {
        var requirement = new IdentityRequirement([new IdentityCombination(1, 0, 0), new IdentityCombination(0, 2, 0)]);
        Assert.Equal("あとA1点、またはあとB1点", requirement.ShortfallJa(0, 1));
        Assert.Null(requirement.ShortfallJa(0, 2));
    }
}
