using CaseSystem.Benchmarks.Sample;

namespace CaseSystem.Projections.Tests.Sample;

/// <summary>
/// The generated national sample that ops/bench rebuild loads: every case is recorded by the real
/// decider, so a rule added to the decider that the generator's cases do not follow stops the
/// benchmark (Kawasaki's representative PIN reset, 004, did: "sample case -81 … the decider refused
/// ResetPin", found 2026-12-03). Run dry here, without a database, on a few seeds.
/// </summary>
public sealed class NationalSampleTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void The_sample_is_recorded_by_the_decider_without_a_refusal_and_reaches_every_path(int seed)
    {
        var stats = new SamplePipeline(EventTypeRegistry.ForRenewalEvents(), 60_000, seed, new NullRowSink()).Run(CancellationToken.None);

        Assert.True(stats.Events >= 60_000, $"{stats.Events} events");
        Assert.Equal(["fujiidera", "hirosaki", "kawasaki", "saku", "takatsuki"], stats.CasesByMunicipality.Keys.Order());
        foreach (var tag in new[] { "who:guardian", "who:legal-representative", "pin-reset", "start:notice" })
        {
            Assert.True(stats.CasesByTag.GetValueOrDefault(tag) > 0, $"no case tagged {tag}");
        }
    }
}
