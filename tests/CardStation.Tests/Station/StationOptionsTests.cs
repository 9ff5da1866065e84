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

    [Theory]
    [InlineData("1980-06-15")]
    [InlineData("S55.6.15")]
    [InlineData("昭和55年6月15日")]
    [InlineData("3550615")]
    public void A_date_option_is_read_as_a_clerk_types_it_wareki_too(string typed)
    {
        // Issue 13: 和暦 accepted where a person types a date.
        var options = StationArgs.Parse(["find", "--birth-date", typed]);
        Assert.Equal(new DateOnly(1980, 6, 15), options.Date("birth-date"));
    }

    [Fact]
    public void A_date_option_that_is_no_date_is_refused_with_the_reason()
    {
        var e = Assert.Throws<StationException>(() => StationArgs.Parse(["find", "--birth-date", "H31.5.1"]).Date("birth-date"));
        Assert.Contains("令和元年5月1日", e.MessageJa);
    }
}
