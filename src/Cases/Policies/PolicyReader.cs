using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using CaseSystem.Cases.Renewal;

namespace CaseSystem.Cases.Policies;

/// <summary>Reads one profile file, checking every field and naming the JSON path of the first problem.</summary>
internal static partial class PolicyReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    private static readonly IReadOnlyDictionary<string, string> SeedOf = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["takatsuki"] = Rule.Seeds.Takatsuki,
        ["saku"] = Rule.Seeds.Saku,
        ["fujiidera"] = Rule.Seeds.Fujiidera,
        ["hirosaki"] = Rule.Seeds.Hirosaki,
        ["kawasaki"] = Rule.Seeds.Kawasaki,
    };

    private static readonly IReadOnlyDictionary<string, DayOfWeek> Weekdays = new Dictionary<string, DayOfWeek>(StringComparer.Ordinal)
    {
        ["monday"] = DayOfWeek.Monday,
        ["tuesday"] = DayOfWeek.Tuesday,
        ["wednesday"] = DayOfWeek.Wednesday,
        ["thursday"] = DayOfWeek.Thursday,
        ["friday"] = DayOfWeek.Friday,
        ["saturday"] = DayOfWeek.Saturday,
        ["sunday"] = DayOfWeek.Sunday,
    };

    private static readonly IReadOnlyDictionary<string, OfficeKind> OfficeKinds = new Dictionary<string, OfficeKind>(StringComparer.Ordinal)
    {
        ["main"] = OfficeKind.Main,
        ["branch"] = OfficeKind.Branch,
        ["centre"] = OfficeKind.Centre,
        ["ward-office"] = OfficeKind.WardOffice,
    };

    private static readonly IReadOnlyDictionary<string, ClosureKind> ClosureKinds = new Dictionary<string, ClosureKind>(StringComparer.Ordinal)
    {
        ["national-holidays"] = ClosureKind.NationalHolidays,
        ["year-end"] = ClosureKind.YearEnd,
        ["third-weekend"] = ClosureKind.ThirdWeekend,
    };

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^([01][0-9]|2[0-3]):[0-5][0-9]$")]
    private static partial Regex TimePattern();

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
    private static partial Regex DatePattern();

    public static MunicipalPolicy Read(string fileName, string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, Options);
        }
        catch (JsonException e)
        {
            throw new PolicyValidationException(fileName, null,
                $"not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {e.Message.Split(" LineNumber:")[0]}", e);
        }
        using (document)
        {
            return Profile(new Node(fileName, "", document.RootElement));
        }
    }

    private static MunicipalPolicy Profile(Node root)
    {
        root.Only("slug", "localGovernmentCode", "nameJa", "seed", "reservation", "postOfficeRenewal", "offices",
            "documentKinds", "listA", "listB", "holderIdentityWhenPinFails", "proxyIdentity", "legalRepresentativeIdentity",
            "documentInquiry", "legalRepresentativePinReset", "insuranceRegistrationClosedDaysBeforeExpiry", "proxyIssuanceNeedsInquiry", "reportSuppressBelow", "contact");

        var slugNode = root.Required("slug");
        var slug = slugNode.String();
        if (!Municipalities.Codes.TryGetValue(slug, out var expectedCode))
        {
            throw slugNode.Error($"unknown municipality '{slug}' (known: {string.Join(", ", Municipalities.Codes.Keys)})");
        }
        if (root.File != slug + ".json")
        {
            throw slugNode.Error($"'{slug}' does not match the file name (expected {slug}.json)");
        }
        var codeNode = root.Required("localGovernmentCode");
        var code = codeNode.String();
        if (code != expectedCode)
        {
            throw codeNode.Error($"'{code}' is not the 全国地方公共団体コード of {slug} ({expectedCode})");
        }
        var seedNode = root.Required("seed");
        var seed = seedNode.String();
        if (seed != SeedOf[slug])
        {
            throw seedNode.Error($"'{seed}' is not the seed page of {slug} ({SeedOf[slug]})");
        }
        var context = new ProfileContext(slug, seed);

        var reservationNode = root.Required("reservation");
        reservationNode.Only("required", "channelsJa");
        var reservation = new ReservationPolicy(
            reservationNode.Required("required").Bool(),
            reservationNode.Optional("channelsJa")?.Items().Select(n => n.String()).ToList() ?? []);

        var postOffice = root.Nullable("postOfficeRenewal")?.Bool();

        var offices = root.Required("offices").Items().Select(n => Office(n, context)).ToList();
        if (offices.Count == 0) throw root.Required("offices").Error("at least one office is needed");
        var officeIds = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < offices.Count; i++)
        {
            if (!officeIds.TryAdd(offices[i].Id, i))
            {
                throw root.Required("offices").Item(i).Required("id").Error($"duplicate office id '{offices[i].Id}' (also offices[{officeIds[offices[i].Id]}])");
            }
        }

        var documents = Documents(root);
        var inquiryNode = root.Required("documentInquiry");
        var inquiry = Inquiry(inquiryNode, context);
        if (inquiry.ApplicationAtResidenceWardOfficeOnly && offices.All(o => o.Kind != OfficeKind.WardOffice))
        {
            throw inquiryNode.Required("applicationAtResidenceWardOfficeOnly").Error("no office is of kind ward-office");
        }

        return new MunicipalPolicy(
            slug,
            code,
            root.Required("nameJa").String(),
            seed,
            reservation,
            postOffice,
            offices,
            documents,
            Requirement(root.Nullable("holderIdentityWhenPinFails")),
            Requirement(root.Required("proxyIdentity"))!,
            Requirement(root.Nullable("legalRepresentativeIdentity")),
            inquiry)
        {
            RepresentativePinResetTerms = PinReset(root.Nullable("legalRepresentativePinReset")),
            InsuranceRegistrationClosedDaysBeforeExpiry = root.Nullable("insuranceRegistrationClosedDaysBeforeExpiry")?.Int(),
            ProxyIssuanceNeedsInquiry = root.Required("proxyIssuanceNeedsInquiry").Bool(),
            ReportSuppressBelow = SuppressionFloor(root.Required("reportSuppressBelow")),
            Contact = Contact(root.Nullable("contact")),
        };
    }

    private static int SuppressionFloor(Node node)
    {
        var floor = node.Int();
        return floor >= 2 ? floor : throw node.Error($"{floor}: a floor below 2 would show single residents");
    }

    private static MunicipalContact? Contact(Node? node)
    {
        if (node is not { } n) return null;
        n.Only("nameJa", "phone", "hoursJa");
        return new MunicipalContact(n.Required("nameJa").String(), n.Required("phone").String(), n.Nullable("hoursJa")?.String());
    }

    private sealed record ProfileContext(string Slug, string Seed)
    {
        public string Source(Node? node)
        {
            if (node is null) return Seed;
            var source = node.Value.String();
            return source == Seed || source == Rule.Seeds.DomainDefaults
                ? source
                : throw node.Value.Error($"'{source}' is neither this profile's seed ({Seed}) nor {Rule.Seeds.DomainDefaults}");
        }

        public string RuleId(Node? node, string fallback)
        {
            if (node is null) return fallback;
            var id = node.Value.Id();
            return id.StartsWith(Slug + "-", StringComparison.Ordinal) ? id : throw node.Value.Error($"rule id '{id}' must start with '{Slug}-'");
        }
    }

    private static List<IdentityDocumentKind> Documents(Node root)
    {
        var kindsNode = root.Required("documentKinds");
        var kinds = new List<(Node Node, string Code, string NameJa, DateOnly? IssuedOnOrAfter, int? Grace)>();
        foreach (var k in kindsNode.Items())
        {
            k.Only("code", "nameJa", "issuedOnOrAfter", "graceAfterExpiryMonths");
            var code = k.Required("code").Id();
            if (kinds.Any(x => x.Code == code)) throw k.Required("code").Error($"document '{code}' is listed twice");
            var graceNode = k.Optional("graceAfterExpiryMonths");
            var grace = graceNode?.Int();
            if (grace < 0) throw graceNode!.Value.Error($"{grace} is negative");
            kinds.Add((k, code, k.Required("nameJa").String(), k.Optional("issuedOnOrAfter") is { } d ? Date(d) : null, grace));
        }

        HashSet<string> List(string name)
        {
            var set = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in root.Required(name).Items())
            {
                var code = item.String();
                if (kinds.All(k => k.Code != code)) throw item.Error($"unknown document '{code}' (not in documentKinds)");
                if (!set.Add(code)) throw item.Error($"document '{code}' is listed twice");
            }
            return set;
        }
        var listA = List("listA");
        var listB = List("listB");

        return kinds.Select(k => (listA.Contains(k.Code), listB.Contains(k.Code)) switch
        {
            (true, false) => new IdentityDocumentKind(k.Code, k.NameJa, IdentityDocumentList.A, k.IssuedOnOrAfter, k.Grace),
            (false, true) => new IdentityDocumentKind(k.Code, k.NameJa, IdentityDocumentList.B, k.IssuedOnOrAfter, k.Grace),
            (true, true) => throw k.Node.Error($"document '{k.Code}' is in both listA and listB"),
            _ => throw k.Node.Error($"document '{k.Code}' is in neither listA nor listB"),
        }).ToList();
    }

    private static IdentityRequirement? Requirement(Node? node)
    {
        if (node is not { } n) return null;
        var alternatives = n.Items().Select(item =>
        {
            item.Only("a", "b", "any");
            int Count(string name)
            {
                var c = item.Optional(name);
                var value = c?.Int() ?? 0;
                return value >= 0 ? value : throw c!.Value.Error($"{value} is negative");
            }
            var combination = new IdentityCombination(Count("a"), Count("b"), Count("any"));
            return combination.Total > 0 ? combination : throw item.Error("asks for no document at all");
        }).ToList();
        return alternatives.Count > 0 ? new IdentityRequirement(alternatives) : throw n.Error("at least one alternative is needed");
    }

    private static DocumentInquiryPolicy Inquiry(Node node, ProfileContext context)
    {
        node.Only("overdueAfterDays", "overdueAfterDaysSource", "applicationAtResidenceWardOfficeOnly", "letterOfAttorneyAtApplication", "secondVisit");
        var daysNode = node.Required("overdueAfterDays");
        var days = daysNode.Int();
        if (days < 1) throw daysNode.Error($"{days} is not a positive number of days");
        InquirySecondVisit? second = null;
        if (node.Nullable("secondVisit") is { } s)
        {
            s.Only("holderIdentity", "proxyIdentity", "letterOfAttorneyRequired");
            second = new InquirySecondVisit(
                Requirement(s.Required("holderIdentity"))!,
                Requirement(s.Required("proxyIdentity"))!,
                s.Required("letterOfAttorneyRequired").Bool());
        }
        return new DocumentInquiryPolicy(days, context.Source(node.Required("overdueAfterDaysSource")),
            node.Optional("applicationAtResidenceWardOfficeOnly")?.Bool() ?? false, second)
        {
            LetterOfAttorneyAtApplication = node.Optional("letterOfAttorneyAtApplication")?.Bool() ?? false,
        };
    }

    private static RepresentativePinReset? PinReset(Node? node)
    {
        if (node is not { } n) return null;
        n.Only("holderIdentity", "representativeIdentity");
        return new RepresentativePinReset(Requirement(n.Required("holderIdentity"))!, Requirement(n.Required("representativeIdentity"))!);
    }

}
