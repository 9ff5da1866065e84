using CaseSystem.CardStation.Station;

namespace CaseSystem.CardStation.Tests.Station;

public sealed class StationOptionsTests
{
    private static readonly Dictionary<string, string> Configured = new()
    {
        [StationOptions.ServerVariable] = "http://127.0.0.1:5080/",
        [StationOptions.TokenVariable] = "cs1.token",
        [StationOptions.MunicipalityVariable] = "saku",
        [StationOptions.OfficeVariable] = "shimin-ka",
    };

    private static Func<string, string?> Without(string variable) => name => name == variable ? null : Configured.GetValueOrDefault(name);

    [Fact]
    public void A_station_without_its_office_refuses_to_start_naming_the_setting()
    {
        var e = Assert.Throws<StationException>(() => StationOptions.From(StationArgs.Parse(["find"]), Without(StationOptions.OfficeVariable)));
        Assert.Equal("Configuration", e.Kind);
        Assert.Contains("--office", e.MessageJa);
        Assert.Contains(StationOptions.OfficeVariable, e.MessageEn);

        var configured = StationOptions.From(StationArgs.Parse(["find", "--office", "usuda"]), Without(StationOptions.OfficeVariable));
        Assert.Equal("usuda", configured.Office);
        Assert.Equal("shimin-ka", StationOptions.From(StationArgs.Parse(["find"]), Configured.GetValueOrDefault).Office);
    }
}
