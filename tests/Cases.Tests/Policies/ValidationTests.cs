using CaseSystem.Cases.Policies;

namespace CaseSystem.Cases.Tests.Policies;

public class ValidationTests
{
    // A small valid profile, with comments and trailing commas as the real files have them.
    private const string Saku = """
        // test profile
        {
          "slug": "saku",
          "localGovernmentCode": "202177",
          "nameJa": "佐久市",
          "seed": "001_1357219a37cf8bc2.txt",
          "reservation": { "required": false },
          "postOfficeRenewal": false,
          "offices": [
            {
              "id": "shimin-ka", "kind": "main", "nameJa": "市民課",
              "hours": { "monday": { "opens": "08:30", "closes": "17:15" }, },
              "breaks": [ { "from": "12:00", "to": "13:00" } ],
              "closures": [ { "kind": "national-holidays" }, { "kind": "year-end", "source": "domain.md" } ],
            },
            {
              "id": "usuda", "kind": "branch", "nameJa": "臼田支所",
              "hours": { "monday": { "opens": "08:30", "closes": "17:15" } },
              "closures": [ { "kind": "national-holidays" } ],
            },
          ],
          "documentKinds": [
            { "code": "passport", "nameJa": "パスポート" },
            { "code": "student-id", "nameJa": "学生証" },
          ],
          "listA": [ "passport" ],
          "listB": [ "student-id" ],
          "holderIdentityWhenPinFails": null,
          "proxyIdentity": [ { "a": 1 }, { "b": 2 } ],
          "legalRepresentativeIdentity": null,
          "documentInquiry": { "overdueAfterDays": 30, "overdueAfterDaysSource": "domain.md", "secondVisit": null },
          "legalRepresentativePinReset": null,
          "insuranceRegistrationClosedDaysBeforeExpiry": null,
          "proxyIssuanceNeedsInquiry": false,
          "reportSuppressBelow": 5,
          "contact": null,
        }
        """;

    private static PolicyValidationException Invalid(string json, string fileName = "saku.json") =>
        Assert.Throws<PolicyValidationException>(() => MunicipalPolicies.Load([(fileName, json)]));

    private static string With(string from, string to)
    {
        Assert.Contains(from, Saku);
        return Saku.Replace(from, to);
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("-3")]
    public void A_report_floor_that_would_show_single_residents_is_refused(string floor)
    {
        var e = Invalid(With("\"reportSuppressBelow\": 5", $"\"reportSuppressBelow\": {floor}"));

        Assert.Contains("reportSuppressBelow", e.Message);
        Assert.Equal(7, MunicipalPolicies.Load([("saku.json", With("\"reportSuppressBelow\": 5", "\"reportSuppressBelow\": 7"))])["saku"].ReportSuppressBelow);
    }

    [Fact]
    public void An_office_has_the_counters_its_profile_lists_or_three_numbered_ones()
    {
        var listed = MunicipalPolicies.Load([("saku.json", With("\"id\": \"usuda\", \"kind\": \"branch\",",
            "\"id\": \"usuda\", \"kind\": \"branch\", \"counters\": [\"A窓口\", \"B窓口\"],"))])["saku"];
        Assert.Equal(["A窓口", "B窓口"], listed.Office("usuda").Counters);
        Assert.Equal(["1番窓口", "2番窓口", "3番窓口"], listed.Office("shimin-ka").Counters);

        var twice = Invalid(With("\"id\": \"usuda\", \"kind\": \"branch\",", "\"id\": \"usuda\", \"kind\": \"branch\", \"counters\": [\"A窓口\", \"A窓口\"],"));
        Assert.Contains("counter 'A窓口' is listed twice", twice.Message);
        var none = Invalid(With("\"id\": \"usuda\", \"kind\": \"branch\",", "\"id\": \"usuda\", \"kind\": \"branch\", \"counters\": [],"));
        Assert.Contains("at least one counter", none.Message);
    }

    [Fact]
    public void The_test_profile_is_valid()
    {
        var saku = MunicipalPolicies.Load([("saku.json", Saku)])["saku"];

        Assert.Equal(2, saku.Offices.Count);
        Assert.Equal("saku-shimin-ka-break", saku.Office("shimin-ka").Breaks.Single().RuleId);
    }

    [Fact]
    public void A_closing_time_before_the_opening_names_file_office_and_day()
    {
        var e = Invalid(With("""{ "monday": { "opens": "08:30", "closes": "17:15" } }""", """{ "monday": { "opens": "17:15", "closes": "08:30" } }"""));

        Assert.Equal("saku.json: offices[1].hours.monday: opens 17:15 after it closes 08:30", e.Message);
        Assert.Equal(("saku.json", "offices[1].hours.monday"), (e.FileName, e.JsonPath));
    }

    [Fact]
    public void A_closing_time_equal_to_the_opening_is_refused()
    {
        var e = Invalid(With("""{ "monday": { "opens": "08:30", "closes": "17:15" } }""", """{ "monday": { "opens": "08:30", "closes": "08:30" } }"""));

        Assert.Equal("offices[1].hours.monday", e.JsonPath);
    }

    [Theory]
    [InlineData("8:30")]
    [InlineData("24:00")]
    [InlineData("08.30")]
    [InlineData("08:60")]
    public void A_time_not_in_HH_mm_is_refused(string time)
    {
        var e = Invalid(With("""{ "monday": { "opens": "08:30", "closes": "17:15" }, }""", $$"""{ "monday": { "opens": "{{time}}", "closes": "17:15" }, }"""));

        Assert.Equal($"saku.json: offices[0].hours.monday.opens: '{time}' is not a time in HH:mm (00:00–23:59)", e.Message);
    }

    [Fact]
    public void An_unknown_weekday_is_refused()
    {
        var e = Invalid(With("""{ "monday": { "opens": "08:30", "closes": "17:15" } }""", """{ "mondy": { "opens": "08:30", "closes": "17:15" } }"""));

        Assert.Equal("offices[1].hours.mondy", e.JsonPath);
        Assert.Contains("unknown weekday 'mondy'", e.Message);
    }

    [Fact]
    public void A_duplicate_office_id_is_refused()
    {
        var e = Invalid(With("\"id\": \"usuda\"", "\"id\": \"shimin-ka\""));

        Assert.Equal("saku.json: offices[1].id: duplicate office id 'shimin-ka' (also offices[0])", e.Message);
    }

    [Theory]
    [InlineData("\"from\": \"07:00\", \"to\": \"09:00\"")]
    [InlineData("\"from\": \"17:00\", \"to\": \"18:00\"")]
    public void A_break_outside_the_hours_is_refused(string bounds)
    {
        var e = Invalid(With("\"from\": \"12:00\", \"to\": \"13:00\"", bounds));

        Assert.Equal("offices[0].breaks[0]", e.JsonPath);
        Assert.Contains("outside the monday hours 08:30–17:15", e.Message);
    }

    [Fact]
    public void A_break_ending_before_it_starts_is_refused()
    {
        var e = Invalid(With("\"from\": \"12:00\", \"to\": \"13:00\"", "\"from\": \"13:00\", \"to\": \"12:00\""));

        Assert.Equal("offices[0].breaks[0]", e.JsonPath);
    }

    [Fact]
    public void A_document_in_both_lists_is_refused()
    {
        var e = Invalid(With("\"listB\": [ \"student-id\" ]", "\"listB\": [ \"student-id\", \"passport\" ]"));

        Assert.Equal("saku.json: documentKinds[0]: document 'passport' is in both listA and listB", e.Message);
    }

    [Fact]
    public void A_document_in_no_list_is_refused()
    {
        var e = Invalid(With("\"listB\": [ \"student-id\" ]", "\"listB\": []"));

        Assert.Equal("saku.json: documentKinds[1]: document 'student-id' is in neither listA nor listB", e.Message);
    }

    [Fact]
    public void A_listed_document_missing_from_the_catalog_is_refused()
    {
        var e = Invalid(With("\"listA\": [ \"passport\" ]", "\"listA\": [ \"passport\", \"driving-licence\" ]"));

        Assert.Equal("saku.json: listA[1]: unknown document 'driving-licence' (not in documentKinds)", e.Message);
    }

    [Fact]
    public void An_unknown_slug_is_refused()
    {
        var e = Invalid(With("\"slug\": \"saku\"", "\"slug\": \"sakuu\""));

        Assert.Equal("slug", e.JsonPath);
        Assert.Contains("unknown municipality 'sakuu'", e.Message);
    }

    [Fact]
    public void A_missing_slug_is_refused()
    {
        var e = Invalid(With("\"slug\": \"saku\",", ""));

        Assert.Equal("saku.json: slug: missing required field", e.Message);
    }

    [Fact]
    public void A_slug_that_does_not_match_the_file_name_is_refused()
    {
        var e = Invalid(Saku, "takatsuki.json");

        Assert.Equal("takatsuki.json: slug: 'saku' does not match the file name (expected saku.json)", e.Message);
    }

    [Theory]
    [InlineData("\"202178\"")]
    [InlineData("\"\"")]
    [InlineData("202177")]
    public void A_wrong_or_missing_local_government_code_is_refused(string code)
    {
        var e = Invalid(With("\"localGovernmentCode\": \"202177\"", $"\"localGovernmentCode\": {code}"));

        Assert.Equal("localGovernmentCode", e.JsonPath);
    }

    [Fact]
    public void A_seed_that_is_not_the_municipality_s_page_is_refused()
    {
        var e = Invalid(With("001_1357219a37cf8bc2.txt", "000_1c29ec30be0fd34c.txt"));

        Assert.Equal("seed", e.JsonPath);
    }

    [Fact]
    public void A_misspelt_field_is_refused_not_ignored()
    {
        var e = Invalid(With("\"breaks\":", "\"braeks\":"));

        Assert.Equal("offices[0].braeks", e.JsonPath);
        Assert.Contains("unknown field", e.Message);
    }

    [Fact]
    public void An_office_must_say_how_it_treats_national_holidays()
    {
        var e = Invalid(With("\"closures\": [ { \"kind\": \"national-holidays\" } ]", "\"closures\": []"));

        Assert.Equal("offices[1]", e.JsonPath);
        Assert.Contains("national-holidays", e.Message);
    }

    [Fact]
    public void An_unknown_closure_kind_is_refused()
    {
        var e = Invalid(With("{ \"kind\": \"national-holidays\" } ]", "{ \"kind\": \"national-holidays\" }, { \"kind\": \"obon\" } ]"));

        Assert.Equal("offices[1].closures[1].kind", e.JsonPath);
    }

    [Fact]
    public void A_source_that_is_neither_the_seed_nor_domain_md_is_refused()
    {
        var e = Invalid(With("\"overdueAfterDaysSource\": \"domain.md\"", "\"overdueAfterDaysSource\": \"hearsay\""));

        Assert.Equal("documentInquiry.overdueAfterDaysSource", e.JsonPath);
    }

    [Fact]
    public void A_field_that_must_say_null_when_the_seed_is_silent_may_not_be_left_out()
    {
        var e = Invalid(With("\"postOfficeRenewal\": false,", ""));

        Assert.Equal("postOfficeRenewal", e.JsonPath);
    }

    [Fact]
    public void A_holiday_opening_where_none_are_possible_is_refused()
    {
        var e = Invalid(With("\"closures\": [ { \"kind\": \"national-holidays\" } ],\n    },",
            "\"closures\": [ { \"kind\": \"national-holidays\" } ],\n      \"holidayOpenings\": { \"possible\": false, \"dates\": [ { \"date\": \"2026-03-15\", \"opens\": \"09:00\", \"closes\": \"12:00\" } ] },\n    },"));

        Assert.Equal("offices[1].holidayOpenings.dates[0]", e.JsonPath);
    }

    [Fact]
    public void Malformed_JSON_names_the_file_and_line()
    {
        var e = Invalid(With("\"nameJa\": \"佐久市\",", "\"nameJa\": 佐久市,"));

        Assert.StartsWith("saku.json: not valid JSON (line 5,", e.Message);
    }

    [Fact]
    public void The_same_slug_twice_is_refused()
    {
        var e = Assert.Throws<PolicyValidationException>(() => MunicipalPolicies.Load([("saku.json", Saku), ("saku.json", Saku)]));

        Assert.Contains("also the slug of saku.json", e.Message);
    }

    [Fact]
    public void All_requires_the_five_municipalities()
    {
        var four = MunicipalPolicies.EmbeddedFiles().Where(f => f.FileName != "kawasaki.json");

        var e = Assert.Throws<PolicyValidationException>(() => MunicipalPolicies.LoadComplete(four));

        Assert.Contains("no profile for kawasaki", e.Message);
        Assert.Equal(5, MunicipalPolicies.LoadComplete(MunicipalPolicies.EmbeddedFiles()).Count);
    }

    [Fact]
    public void A_broken_embedded_profile_names_its_file_and_field()
    {
        var files = MunicipalPolicies.EmbeddedFiles()
            .Select(f => f.FileName == "hirosaki.json" ? (f.FileName, f.Json.Replace("\"closes\": \"18:30\"", "\"closes\": \"06:30\"")) : f);

        var e = Assert.Throws<PolicyValidationException>(() => MunicipalPolicies.LoadComplete(files));

        Assert.Equal("hirosaki.json: offices[3].hours.monday: opens 08:30 after it closes 06:30", e.Message);
    }
}
