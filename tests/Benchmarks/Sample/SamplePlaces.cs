using CaseSystem.Cases;
using CaseSystem.Cases.Policies;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Benchmarks.Sample;

/// <summary>A counter of a municipality as the sample uses it: the policy's office, with its share of visitors and its staff.</summary>
internal sealed class SampleOffice(OfficePolicy policy, double weight, int firstClerk, int clerks, int counters, int maxWaitMinutes, double ticketsPerMinute)
{
    public OfficePolicy Policy { get; } = policy;
    public string Id => Policy.Id;
    public double Weight { get; } = weight;
    public int MaxWaitMinutes { get; } = maxWaitMinutes;

    public string Clerk(SampleRandom r) => $"clerk-{firstClerk + r.Next(clerks):000}";

    public string Counter(SampleRandom r) => $"{1 + r.Next(counters)}番窓口";

    public string Station(SampleRandom r) => $"{Id}-terminal-{1 + r.Next(counters):00}";

    /// <summary>Tickets run up through the day: roughly how many were drawn before this moment.</summary>
    public string Ticket(SampleRandom r, DateTimeOffset arrival, TimeOnly opens)
    {
        var (_, minute) = JapanTime.Of(arrival);
        var since = Math.Max(0, (minute.ToTimeSpan() - opens.ToTimeSpan()).TotalMinutes);
        return $"{1 + (int)(since * ticketsPerMinute) + r.Next(3):000}";
    }

    public bool IsOpen(DateTimeOffset at) => Policy.ReceptionAt(at).IsOpen;

    /// <summary>Whether the office receives visitors that day at all (judged at 10:00 and 14:00).</summary>
    public bool IsOpenDay(DateOnly day) =>
        IsOpen(SamplePlaces.Jst(day, new TimeOnly(10, 0))) || IsOpen(SamplePlaces.Jst(day, new TimeOnly(14, 0)));

    /// <summary>The day's reception hours (no special openings are listed in the profiles).</summary>
    public ReceptionHours? HoursOn(DateOnly day) =>
        Policy.NationalHolidayHours is { } holiday && JapaneseHolidays.IsHoliday(day) ? holiday : Policy.Hours.GetValueOrDefault(day.DayOfWeek);
}

/// <summary>A town (町・大字) of a municipality, with the counter its residents have nearest.</summary>
internal sealed record SampleTown(string Name, string Ward, string HomeOffice, double Weight, bool Urban);

internal sealed class SampleMunicipality
{
    public required string Slug { get; init; }
    public required string Code { get; init; }
    public required string AddressPrefix { get; init; }
    public required double Population { get; init; }
    public required MunicipalPolicy Policy { get; init; }
    public required RenewalDecider Decider { get; init; }
    public required IReadOnlyList<SampleOffice> Offices { get; init; }
    public required IReadOnlyList<(SampleTown Item, double Weight)> Towns { get; init; }
    public required IReadOnlyList<(string Kanji, string Kana)> LocalSurnames { get; init; }
    /// <summary>Minutes after 09:30 at which the municipality imports its notice batches.</summary>
    public required int ImportMinute { get; init; }

    public SampleOffice Main => Offices[0];

    public SampleOffice Office(string id) => Offices.First(o => o.Id == id);

    private IReadOnlyList<(SampleOffice Item, double Weight)>? _officeWeights;

    public IReadOnlyList<(SampleOffice Item, double Weight)> OfficeWeights => _officeWeights ??= [.. Offices.Select(o => (o, o.Weight))];
}

/// <summary>The five municipalities, their counters and towns, and the people who live there.</summary>
internal static class SamplePlaces
{
    public static DateTimeOffset Jst(DateOnly day, TimeOnly time) => new(day.ToDateTime(time), JapanTime.Offset);

    /// <summary>The identity documents the sample shows; every profile must know each (checked at start-up).</summary>
    public static readonly string[] IdentityKinds =
    [
        "driving-licence", "passport", "residence-card", "my-number-card", "health-insurance-card",
        "pension-handbook", "long-term-care-insurance-card", "student-id", "employee-id",
    ];

    public static IReadOnlyList<(SampleMunicipality Item, double Weight)> All { get; } = Build();

    private static IReadOnlyList<(SampleMunicipality Item, double Weight)> Build()
    {
        var list = new List<SampleMunicipality>
        {
            Make("kawasaki", "神奈川県川崎市", 1_550_000, 0,
                [("mynumber-card-center", 40, 16, 20), ("kawasaki-ku", 9, 4, 20), ("saiwai-ku", 7, 4, 20), ("nakahara-ku", 10, 4, 20),
                 ("takatsu-ku", 9, 4, 20), ("miyamae-ku", 9, 4, 20), ("tama-ku", 9, 4, 20), ("asao-ku", 7, 4, 20)],
                [
                    .. Ward("川崎区", "kawasaki-ku", 23, "砂子", "東田町", "大師町", "宮前町"),
                    .. Ward("幸区", "saiwai-ku", 17, "小倉", "南加瀬", "鹿島田"),
                    .. Ward("中原区", "nakahara-ku", 26, "小杉町", "新丸子町", "木月", "上小田中"),
                    .. Ward("高津区", "takatsu-ku", 23, "溝口", "久本", "二子", "末長"),
                    .. Ward("宮前区", "miyamae-ku", 23, "宮前平", "鷺沼", "有馬", "野川"),
                    .. Ward("多摩区", "tama-ku", 22, "登戸", "生田", "菅", "宿河原"),
                    .. Ward("麻生区", "asao-ku", 18, "百合丘", "上麻生", "王禅寺", "高石"),
                ],
                [("石井", "イシイ"), ("小泉", "コイズミ"), ("関", "セキ"), ("斎藤", "サイトウ"), ("渡辺", "ワタナベ")]),
            Make("takatsuki", "大阪府高槻市", 350_000, 15,
                [("shimin-ka", 70, 10, 60), ("tonda", 18, 3, 35), ("sangamaki", 9, 2, 25), ("kashida", 3, 1, 10)],
                [
                    new("桃園町", "", "shimin-ka", 8, true), new("城北町", "", "shimin-ka", 8, true), new("芥川町", "", "shimin-ka", 8, true),
                    new("真上町", "", "shimin-ka", 7, true), new("南平台", "", "shimin-ka", 6, true), new("上牧町", "", "shimin-ka", 6, true),
                    new("大冠町", "", "shimin-ka", 7, true), new("富田町", "", "tonda", 8, true), new("昭和台町", "", "tonda", 5, true),
                    new("富田丘町", "", "tonda", 4, true), new("三島江", "", "sangamaki", 3, false), new("唐崎", "", "sangamaki", 3, false),
                    new("柱本", "", "sangamaki", 3, false), new("田能", "", "kashida", 0.5, false), new("中畑", "", "kashida", 0.4, false),
                    new("出灰", "", "kashida", 0.2, false),
                ],
                [("西田", "ニシダ"), ("辻", "ツジ"), ("北村", "キタムラ"), ("上田", "ウエダ"), ("山本", "ヤマモト"), ("中村", "ナカムラ")]),
            Make("hirosaki", "青森県弘前市", 165_000, 40,
                [("bosaikan", 45, 6, 60), ("hirolo", 35, 4, 45), ("iwaki", 10, 2, 20), ("soma", 10, 2, 15)],
                [
                    new("大字上白銀町", "", "bosaikan", 3, true), new("大字下白銀町", "", "bosaikan", 3, true), new("大字土手町", "", "hirolo", 3, true),
                    new("大字取上", "", "hirolo", 3, true), new("城東北", "", "hirolo", 4, true), new("松原東", "", "bosaikan", 3, true),
                    new("大字石渡", "", "bosaikan", 3, true), new("大字堅田", "", "hirolo", 3, true), new("桔梗野", "", "bosaikan", 3, true),
                    new("大字賀田", "", "iwaki", 2, false), new("大字五代", "", "iwaki", 1, false), new("大字兼平", "", "iwaki", 1, false),
                    new("大字五所", "", "soma", 1, false), new("大字紙漉沢", "", "soma", 1, false),
                ],
                [("工藤", "クドウ"), ("三上", "ミカミ"), ("成田", "ナリタ"), ("葛西", "カサイ"), ("對馬", "ツシマ"), ("今", "コン"), ("福士", "フクシ")]),
            Make("saku", "長野県佐久市", 98_000, 25,
                [("shimin-ka", 68, 6, 45), ("usuda", 12, 2, 20), ("mochizuki", 11, 2, 20), ("asashina", 9, 2, 15)],
                [
                    new("中込", "", "shimin-ka", 10, false), new("岩村田", "", "shimin-ka", 12, false), new("猿久保", "", "shimin-ka", 5, false),
                    new("長土呂", "", "shimin-ka", 5, false), new("平賀", "", "shimin-ka", 4, false), new("跡部", "", "shimin-ka", 3, false),
                    new("臼田", "", "usuda", 5, false), new("下越", "", "usuda", 2, false), new("望月", "", "mochizuki", 4, false),
                    new("協和", "", "mochizuki", 2, false), new("塩名田", "", "asashina", 2, false), new("甲", "", "asashina", 2, false),
                ],
                [("小林", "コバヤシ"), ("丸山", "マルヤマ"), ("柳沢", "ヤナギサワ"), ("土屋", "ツチヤ"), ("井出", "イデ"), ("篠原", "シノハラ"), ("依田", "ヨダ")]),
            Make("fujiidera", "大阪府藤井寺市", 63_000, 55,
                [("mynumber-counter", 100, 5, 50)],
                [
                    new("岡", "", "mynumber-counter", 3, true), new("藤井寺", "", "mynumber-counter", 4, true), new("春日丘", "", "mynumber-counter", 4, true),
                    new("道明寺", "", "mynumber-counter", 3, true), new("野中", "", "mynumber-counter", 3, true), new("小山", "", "mynumber-counter", 3, true),
                    new("林", "", "mynumber-counter", 2, true), new("北岡", "", "mynumber-counter", 2, true), new("沢田", "", "mynumber-counter", 2, true),
                    new("国府", "", "mynumber-counter", 2, true),
                ],
                [("西田", "ニシダ"), ("辻", "ツジ"), ("北村", "キタムラ"), ("上田", "ウエダ"), ("吉田", "ヨシダ")]),
        };
        foreach (var m in list)
        {
            foreach (var kind in IdentityKinds)
            {
                if (m.Policy.Document(kind) is null) throw new InvalidOperationException($"{m.Slug}: the profile does not know the document kind '{kind}' the sample shows");
            }
        }
        return list.Select(m => (m, m.Population)).ToList();
    }

    private static SampleTown[] Ward(string ward, string office, double weight, params string[] towns) =>
        [.. towns.Select(t => new SampleTown(t, ward, office, weight / towns.Length, true))];

    private static SampleMunicipality Make(
        string slug, string prefix, double population, int importMinute,
        (string Id, double Weight, int Counters, int MaxWait)[] offices, SampleTown[] towns, (string, string)[] localSurnames)
    {
        var policy = MunicipalPolicies.For(slug);
        var sampleOffices = new List<SampleOffice>();
        var firstClerk = 1;
        foreach (var (id, weight, counters, maxWait) in offices)
        {
            var clerks = counters + 2 + counters / 2;
            sampleOffices.Add(new SampleOffice(policy.Office(id), weight, firstClerk, clerks, counters, maxWait, ticketsPerMinute: counters * 0.08));
            firstClerk += clerks;
        }
        foreach (var town in towns) policy.Office(town.HomeOffice);
        return new SampleMunicipality
        {
            Slug = slug,
            Code = Municipalities.Codes[slug],
            AddressPrefix = prefix,
            Population = population,
            Policy = policy,
            Decider = new RenewalDecider(policy),
            Offices = sampleOffices,
            Towns = [.. towns.Select(t => (t, t.Weight))],
            LocalSurnames = localSurnames,
            ImportMinute = importMinute,
        };
    }

    public static readonly (string Kanji, string Kana)[] Surnames =
    [
        ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"),
        ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
        ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"),
        ("斎藤", "サイトウ"), ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
        ("阿部", "アベ"), ("石川", "イシカワ"), ("前田", "マエダ"), ("藤田", "フジタ"), ("小川", "オガワ"), ("岡田", "オカダ"),
        ("後藤", "ゴトウ"), ("長谷川", "ハセガワ"), ("村上", "ムラカミ"), ("近藤", "コンドウ"), ("石井", "イシイ"), ("坂本", "サカモト"),
        ("遠藤", "エンドウ"), ("青木", "アオキ"), ("藤井", "フジイ"), ("西村", "ニシムラ"),
    ];

    /// <summary>Given names by the decade people were born in, male then female.</summary>
    public static (string Kanji, string Kana)[] GivenNames(int birthYear, bool female) => (birthYear, female) switch
    {
        ( < 1955, false) => [("清", "キヨシ"), ("茂", "シゲル"), ("博", "ヒロシ"), ("勇", "イサム"), ("実", "ミノル"), ("正", "タダシ"), ("進", "ススム"), ("勝", "マサル"), ("武", "タケシ"), ("昭", "アキラ")],
        ( < 1955, true) => [("和子", "カズコ"), ("幸子", "サチコ"), ("節子", "セツコ"), ("洋子", "ヨウコ"), ("恵子", "ケイコ"), ("京子", "キョウコ"), ("久子", "ヒサコ"), ("美代子", "ミヨコ"), ("文子", "フミコ"), ("信子", "ノブコ")],
        ( < 1980, false) => [("誠", "マコト"), ("浩", "ヒロシ"), ("健一", "ケンイチ"), ("隆", "タカシ"), ("哲也", "テツヤ"), ("浩二", "コウジ"), ("直樹", "ナオキ"), ("秀樹", "ヒデキ"), ("和彦", "カズヒコ"), ("修", "オサム")],
        ( < 1980, true) => [("裕子", "ユウコ"), ("恵美子", "エミコ"), ("真由美", "マユミ"), ("智子", "トモコ"), ("久美子", "クミコ"), ("由美子", "ユミコ"), ("明美", "アケミ"), ("陽子", "ヨウコ"), ("直美", "ナオミ"), ("順子", "ジュンコ")],
        ( < 2000, false) => [("大輔", "ダイスケ"), ("拓也", "タクヤ"), ("翔太", "ショウタ"), ("健太", "ケンタ"), ("達也", "タツヤ"), ("和也", "カズヤ"), ("直人", "ナオト"), ("翔", "ショウ"), ("大樹", "ダイキ"), ("亮", "リョウ")],
        ( < 2000, true) => [("愛", "アイ"), ("美穂", "ミホ"), ("彩", "アヤ"), ("麻衣", "マイ"), ("美咲", "ミサキ"), ("沙織", "サオリ"), ("舞", "マイ"), ("千尋", "チヒロ"), ("優子", "ユウコ"), ("友美", "トモミ")],
        (_, false) => [("大翔", "ヒロト"), ("蓮", "レン"), ("湊", "ミナト"), ("悠真", "ユウマ"), ("陽翔", "ハルト"), ("颯太", "ソウタ"), ("樹", "イツキ"), ("蒼", "アオイ"), ("悠人", "ユウト"), ("陸", "リク")],
        (_, true) => [("陽葵", "ヒマリ"), ("結衣", "ユイ"), ("葵", "アオイ"), ("凛", "リン"), ("結菜", "ユイナ"), ("芽依", "メイ"), ("紬", "ツムギ"), ("澪", "ミオ"), ("さくら", "サクラ"), ("美桜", "ミオ")],
    };

    /// <summary>Residents registered under a foreign name: the name as registered (alphabet) and its katakana reading.</summary>
    public static readonly (string Name, string Kana)[] ForeignNames =
    [
        ("NGUYEN VAN AN", "グエン ヴァン アン"), ("TRAN THI MAI", "チャン ティ マイ"), ("SANTOS MARIA", "サントス マリア"),
        ("KIM MINJUN", "キム ミンジュン"), ("WANG FANG", "ワン ファン"), ("SILVA JOAO", "シルバ ジョアン"),
        ("GARCIA ANA", "ガルシア アナ"), ("SHARMA RAHUL", "シャルマ ラフル"),
    ];

    public static readonly string[] Buildings = ["コーポ", "ハイツ", "メゾン", "レジデンス", "パークハウス", "グリーンヒル"];
}
