using System.Globalization;
using CaseSystem.Cases.Policies;

namespace CaseSystem.Cases.Tests.Policies;

// Expected data: 内閣府「国民の祝日について」 (https://www8.cao.go.jp/chosei/shukujitsu/gaiyou.html) and its
// published calendar syukujitsu.csv, which names both 振替休日 and 国民の休日 just "休日"; here they carry the names
// JapaneseHolidays uses. Rules: 国民の祝日に関する法律 (Act No. 178 of 1948) Articles 2 and 3, and the special laws for
// 2019 (Act No. 99 of 2018) and for the Tokyo Olympics in 2020 and 2021.
public sealed class JapaneseHolidaysTests
{
    private const string Substitute = "振替休日";
    private const string Citizens = "国民の休日";

    [Theory]
    [InlineData(2019)]
    [InlineData(2020)]
    [InlineData(2021)]
    [InlineData(2022)]
    [InlineData(2023)]
    [InlineData(2024)]
    [InlineData(2025)]
    [InlineData(2026)]
    [InlineData(2027)]
    public void A_year_matches_the_official_calendar(int year)
    {
        var expected = Official(year).Select(h => (Date: Day(h.Date), h.Name)).ToList();

        Assert.Equal(expected, JapaneseHolidays.In(year).ToList());
    }

    [Theory]
    [InlineData("2023-01-02")]
    [InlineData("2024-02-12")]
    [InlineData("2024-05-06")]
    [InlineData("2024-08-12")]
    [InlineData("2024-09-23")]
    [InlineData("2024-11-04")]
    [InlineData("2025-02-24")]
    [InlineData("2025-11-24")]
    [InlineData("2026-05-06")]
    [InlineData("2027-03-22")]
    [InlineData("2021-08-09")]
    [InlineData("2006-01-02")]
    public void A_holiday_on_a_Sunday_gives_a_substitute_holiday(string date)
    {
        Assert.True(JapaneseHolidays.IsHoliday(Day(date)));
        Assert.Equal(Substitute, JapaneseHolidays.NameOf(Day(date)));
    }

    [Fact]
    public void The_substitute_skips_holidays_that_follow_the_Sunday()
    {
        // 2026: 5/3 (Sunday), 5/4 and 5/5 are all 国民の祝日, so the substitute falls on Wednesday 5/6.
        Assert.Equal(DayOfWeek.Sunday, Day("2026-05-03").DayOfWeek);
        Assert.Equal("みどりの日", JapaneseHolidays.NameOf(Day("2026-05-04")));
        Assert.Equal("こどもの日", JapaneseHolidays.NameOf(Day("2026-05-05")));
        Assert.Equal(Substitute, JapaneseHolidays.NameOf(Day("2026-05-06")));
        Assert.False(JapaneseHolidays.IsHoliday(Day("2026-05-07")));
    }

    [Theory]
    [InlineData("2026-09-22")]
    [InlineData("2019-04-30")]
    [InlineData("2019-05-02")]
    [InlineData("2032-09-21")]
    public void A_day_between_two_national_holidays_is_a_citizens_holiday(string date)
    {
        Assert.Equal(Citizens, JapaneseHolidays.NameOf(Day(date)));
        Assert.All([Day(date).AddDays(-1), Day(date).AddDays(1)], neighbour =>
            Assert.True(JapaneseHolidays.NameOf(neighbour) is not (null or Citizens or Substitute), $"{neighbour} should be a national holiday"));
    }

    [Fact]
    public void The_2026_silver_week_is_five_days()
    {
        Assert.Equal("敬老の日", JapaneseHolidays.NameOf(Day("2026-09-21")));
        Assert.Equal(Citizens, JapaneseHolidays.NameOf(Day("2026-09-22")));
        Assert.Equal("秋分の日", JapaneseHolidays.NameOf(Day("2026-09-23")));
    }

    [Fact]
    public void Before_2007_a_Sunday_between_two_holidays_was_not_a_citizens_holiday()
    {
        // 2003-05-04 was a Sunday between 憲法記念日 and こどもの日; 2005-05-04 (Wednesday) was a 国民の休日.
        Assert.False(JapaneseHolidays.IsHoliday(Day("2003-05-04")));
        Assert.Equal(Citizens, JapaneseHolidays.NameOf(Day("2005-05-04")));
        Assert.Equal("みどりの日", JapaneseHolidays.NameOf(Day("2006-04-29")));
        Assert.Equal("天皇誕生日", JapaneseHolidays.NameOf(Day("2018-12-23")));
    }

    [Theory]
    [InlineData("2025-06-18")] // Wednesday in June, a month without holidays
    [InlineData("2026-01-13")] // Tuesday after 成人の日
    [InlineData("2024-07-16")] // Tuesday after 海の日
    [InlineData("2025-06-21")] // plain Saturday
    [InlineData("2025-06-22")] // plain Sunday
    [InlineData("2026-12-23")] // former 天皇誕生日
    [InlineData("2019-02-23")] // no 天皇誕生日 in 2019
    [InlineData("2020-12-23")]
    public void An_ordinary_day_is_not_a_holiday(string date)
    {
        Assert.False(JapaneseHolidays.IsHoliday(Day(date)));
        Assert.Null(JapaneseHolidays.NameOf(Day(date)));
    }

    [Fact]
    public void The_2020_Olympic_law_moves_three_holidays()
    {
        Assert.Equal("海の日", JapaneseHolidays.NameOf(Day("2020-07-23")));
        Assert.Equal("スポーツの日", JapaneseHolidays.NameOf(Day("2020-07-24")));
        Assert.Equal("山の日", JapaneseHolidays.NameOf(Day("2020-08-10")));
        Assert.False(JapaneseHolidays.IsHoliday(Day("2020-07-20")));
        Assert.False(JapaneseHolidays.IsHoliday(Day("2020-08-11")));
        Assert.False(JapaneseHolidays.IsHoliday(Day("2020-10-12")));
    }

    [Fact]
    public void The_2021_Olympic_law_moves_three_holidays()
    {
        Assert.Equal("海の日", JapaneseHolidays.NameOf(Day("2021-07-22")));
        Assert.Equal("スポーツの日", JapaneseHolidays.NameOf(Day("2021-07-23")));
        Assert.Equal("山の日", JapaneseHolidays.NameOf(Day("2021-08-08")));
        Assert.Equal(Substitute, JapaneseHolidays.NameOf(Day("2021-08-09")));
        Assert.False(JapaneseHolidays.IsHoliday(Day("2021-07-19")));
        Assert.False(JapaneseHolidays.IsHoliday(Day("2021-08-11")));
        Assert.False(JapaneseHolidays.IsHoliday(Day("2021-10-11")));
    }

    [Fact]
    public void The_normal_rules_resume_in_2022()
    {
        Assert.Equal("海の日", JapaneseHolidays.NameOf(Day("2022-07-18")));
        Assert.Equal("山の日", JapaneseHolidays.NameOf(Day("2022-08-11")));
        Assert.Equal("スポーツの日", JapaneseHolidays.NameOf(Day("2022-10-10")));
    }

    [Theory]
    [InlineData(1999)]
    [InlineData(2100)]
    public void Years_outside_the_supported_range_are_rejected(int year)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => JapaneseHolidays.In(year));
        Assert.Throws<ArgumentOutOfRangeException>(() => JapaneseHolidays.IsHoliday(new DateOnly(year, 6, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => JapaneseHolidays.NameOf(new DateOnly(year, 6, 1)));
    }

    [Fact]
    public void The_supported_range_is_consistent()
    {
        for (var year = JapaneseHolidays.MinYear; year <= JapaneseHolidays.MaxYear; year++)
        {
            var holidays = JapaneseHolidays.In(year);
            Assert.All(holidays, h => Assert.Equal(year, h.Date.Year));
            Assert.Equal(holidays.OrderBy(h => h.Date).ToList(), holidays.ToList());
            Assert.Equal(holidays.Count, holidays.Select(h => h.Date).Distinct().Count());
            Assert.Contains(holidays, h => h.Name == "春分の日" && h.Date.Month == 3 && h.Date.Day is >= 19 and <= 21);
            Assert.Contains(holidays, h => h.Name == "秋分の日" && h.Date.Month == 9 && h.Date.Day is >= 22 and <= 24);

            for (var day = new DateOnly(year, 1, 1); day.Year == year; day = day.AddDays(1))
            {
                var name = JapaneseHolidays.NameOf(day);
                Assert.Equal(name is not null, JapaneseHolidays.IsHoliday(day));
                Assert.Equal(name, holidays.Where(h => h.Date == day).Select(h => h.Name).SingleOrDefault());
            }
        }
    }

    [Fact]
    public void Concurrent_callers_get_the_same_answer()
    {
        var results = Enumerable.Range(0, 32).AsParallel().Select(_ => JapaneseHolidays.In(2035)).ToList();

        Assert.All(results, r => Assert.Equal(results[0], r));
    }

    private static DateOnly Day(string iso) => DateOnly.ParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static (string Date, string Name)[] Official(int year) => year switch
    {
        2019 =>
        [
            ("2019-01-01", "元日"),
            ("2019-01-14", "成人の日"),
            ("2019-02-11", "建国記念の日"),
            ("2019-03-21", "春分の日"),
            ("2019-04-29", "昭和の日"),
            ("2019-04-30", Citizens),
            ("2019-05-01", "即位の日"),
            ("2019-05-02", Citizens),
            ("2019-05-03", "憲法記念日"),
            ("2019-05-04", "みどりの日"),
            ("2019-05-05", "こどもの日"),
            ("2019-05-06", Substitute),
            ("2019-07-15", "海の日"),
            ("2019-08-11", "山の日"),
            ("2019-08-12", Substitute),
            ("2019-09-16", "敬老の日"),
            ("2019-09-23", "秋分の日"),
            ("2019-10-14", "体育の日"),
            ("2019-10-22", "即位礼正殿の儀"),
            ("2019-11-03", "文化の日"),
            ("2019-11-04", Substitute),
            ("2019-11-23", "勤労感謝の日"),
        ],
        2020 =>
        [
            ("2020-01-01", "元日"),
            ("2020-01-13", "成人の日"),
            ("2020-02-11", "建国記念の日"),
            ("2020-02-23", "天皇誕生日"),
            ("2020-02-24", Substitute),
            ("2020-03-20", "春分の日"),
            ("2020-04-29", "昭和の日"),
            ("2020-05-03", "憲法記念日"),
            ("2020-05-04", "みどりの日"),
            ("2020-05-05", "こどもの日"),
            ("2020-05-06", Substitute),
            ("2020-07-23", "海の日"),
            ("2020-07-24", "スポーツの日"),
            ("2020-08-10", "山の日"),
            ("2020-09-21", "敬老の日"),
            ("2020-09-22", "秋分の日"),
            ("2020-11-03", "文化の日"),
            ("2020-11-23", "勤労感謝の日"),
        ],
        2021 =>
        [
            ("2021-01-01", "元日"),
            ("2021-01-11", "成人の日"),
            ("2021-02-11", "建国記念の日"),
            ("2021-02-23", "天皇誕生日"),
            ("2021-03-20", "春分の日"),
            ("2021-04-29", "昭和の日"),
            ("2021-05-03", "憲法記念日"),
            ("2021-05-04", "みどりの日"),
            ("2021-05-05", "こどもの日"),
            ("2021-07-22", "海の日"),
            ("2021-07-23", "スポーツの日"),
            ("2021-08-08", "山の日"),
            ("2021-08-09", Substitute),
            ("2021-09-20", "敬老の日"),
            ("2021-09-23", "秋分の日"),
            ("2021-11-03", "文化の日"),
            ("2021-11-23", "勤労感謝の日"),
        ],
        2022 =>
        [
            ("2022-01-01", "元日"),
            ("2022-01-10", "成人の日"),
            ("2022-02-11", "建国記念の日"),
            ("2022-02-23", "天皇誕生日"),
            ("2022-03-21", "春分の日"),
            ("2022-04-29", "昭和の日"),
            ("2022-05-03", "憲法記念日"),
            ("2022-05-04", "みどりの日"),
            ("2022-05-05", "こどもの日"),
            ("2022-07-18", "海の日"),
            ("2022-08-11", "山の日"),
            ("2022-09-19", "敬老の日"),
            ("2022-09-23", "秋分の日"),
            ("2022-10-10", "スポーツの日"),
            ("2022-11-03", "文化の日"),
            ("2022-11-23", "勤労感謝の日"),
        ],
        2023 =>
        [
            ("2023-01-01", "元日"),
            ("2023-01-02", Substitute),
            ("2023-01-09", "成人の日"),
            ("2023-02-11", "建国記念の日"),
            ("2023-02-23", "天皇誕生日"),
            ("2023-03-21", "春分の日"),
            ("2023-04-29", "昭和の日"),
            ("2023-05-03", "憲法記念日"),
            ("2023-05-04", "みどりの日"),
            ("2023-05-05", "こどもの日"),
            ("2023-07-17", "海の日"),
            ("2023-08-11", "山の日"),
            ("2023-09-18", "敬老の日"),
            ("2023-09-23", "秋分の日"),
            ("2023-10-09", "スポーツの日"),
            ("2023-11-03", "文化の日"),
            ("2023-11-23", "勤労感謝の日"),
        ],
        2024 =>
        [
            ("2024-01-01", "元日"),
            ("2024-01-08", "成人の日"),
            ("2024-02-11", "建国記念の日"),
            ("2024-02-12", Substitute),
            ("2024-02-23", "天皇誕生日"),
            ("2024-03-20", "春分の日"),
            ("2024-04-29", "昭和の日"),
            ("2024-05-03", "憲法記念日"),
            ("2024-05-04", "みどりの日"),
            ("2024-05-05", "こどもの日"),
            ("2024-05-06", Substitute),
            ("2024-07-15", "海の日"),
            ("2024-08-11", "山の日"),
            ("2024-08-12", Substitute),
            ("2024-09-16", "敬老の日"),
            ("2024-09-22", "秋分の日"),
            ("2024-09-23", Substitute),
            ("2024-10-14", "スポーツの日"),
            ("2024-11-03", "文化の日"),
            ("2024-11-04", Substitute),
            ("2024-11-23", "勤労感謝の日"),
        ],
        2025 =>
        [
            ("2025-01-01", "元日"),
            ("2025-01-13", "成人の日"),
            ("2025-02-11", "建国記念の日"),
            ("2025-02-23", "天皇誕生日"),
            ("2025-02-24", Substitute),
            ("2025-03-20", "春分の日"),
            ("2025-04-29", "昭和の日"),
            ("2025-05-03", "憲法記念日"),
            ("2025-05-04", "みどりの日"),
            ("2025-05-05", "こどもの日"),
            ("2025-05-06", Substitute),
            ("2025-07-21", "海の日"),
            ("2025-08-11", "山の日"),
            ("2025-09-15", "敬老の日"),
            ("2025-09-23", "秋分の日"),
            ("2025-10-13", "スポーツの日"),
            ("2025-11-03", "文化の日"),
            ("2025-11-23", "勤労感謝の日"),
            ("2025-11-24", Substitute),
        ],
        2026 =>
        [
            ("2026-01-01", "元日"),
            ("2026-01-12", "成人の日"),
            ("2026-02-11", "建国記念の日"),
            ("2026-02-23", "天皇誕生日"),
            ("2026-03-20", "春分の日"),
            ("2026-04-29", "昭和の日"),
            ("2026-05-03", "憲法記念日"),
            ("2026-05-04", "みどりの日"),
            ("2026-05-05", "こどもの日"),
            ("2026-05-06", Substitute),
            ("2026-07-20", "海の日"),
            ("2026-08-11", "山の日"),
            ("2026-09-21", "敬老の日"),
            ("2026-09-22", Citizens),
            ("2026-09-23", "秋分の日"),
            ("2026-10-12", "スポーツの日"),
            ("2026-11-03", "文化の日"),
            ("2026-11-23", "勤労感謝の日"),
        ],
        2027 =>
        [
            ("2027-01-01", "元日"),
            ("2027-01-11", "成人の日"),
            ("2027-02-11", "建国記念の日"),
            ("2027-02-23", "天皇誕生日"),
            ("2027-03-21", "春分の日"),
            ("2027-03-22", Substitute),
            ("2027-04-29", "昭和の日"),
            ("2027-05-03", "憲法記念日"),
            ("2027-05-04", "みどりの日"),
            ("2027-05-05", "こどもの日"),
            ("2027-07-19", "海の日"),
            ("2027-08-11", "山の日"),
            ("2027-09-20", "敬老の日"),
            ("2027-09-23", "秋分の日"),
            ("2027-10-11", "スポーツの日"),
            ("2027-11-03", "文化の日"),
            ("2027-11-23", "勤労感謝の日"),
        ],
        _ => throw new ArgumentOutOfRangeException(nameof(year), year, "No official calendar written out for this year."),
    };
}
