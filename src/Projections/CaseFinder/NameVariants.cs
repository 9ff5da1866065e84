using System.Text;

namespace CaseSystem.Projections.CaseFinder;

/// <summary>
/// Kanji that a name is written with in more than one form (異体字): a clerk types the form the
/// keyboard offers (高, 崎, 辺, 斎…) while the notice, from the resident register, may hold
/// another (髙, 﨑, 邊, 齋…). Each variant is searched as its common form. Issue 13: "Name
/// search treats common 異体字 as the same character".
/// <para>
/// NFKC already folds the compatibility ideographs that have a decomposition (U+F900 block); the
/// ones below it does not: the twelve unified ideographs of the compatibility block (﨑 U+FA11),
/// characters outside the BMP (𠮷), and the traditional or variant forms that are separate
/// characters in Unicode (髙 U+9AD9, 邊, 齋, 澤, 濱…). The list holds the variants common in
/// surnames and given names; a pair that names two different people's characters in practice
/// (such as 竜 and 龍) is listed only where counters treat them as one.
/// </para>
/// </summary>
public static class NameVariants
{
    /// <summary>Variant → common form, in groups of the same common form.</summary>
    private static readonly (string Common, string Variants)[] Groups =
    [
        ("高", "髙"), ("崎", "﨑嵜碕"), ("辺", "邊邉"), ("斎", "齋齊斉"), ("沢", "澤"), ("浜", "濱濵"),
        ("桜", "櫻"), ("広", "廣"), ("国", "國圀"), ("島", "嶋嶌"), ("徳", "德"), ("恵", "惠"),
        ("真", "眞"), ("蔵", "藏"), ("寿", "壽"), ("栄", "榮"), ("来", "來"), ("条", "條"),
        ("実", "實"), ("与", "與"), ("浅", "淺"), ("静", "靜"), ("礼", "禮"), ("富", "冨"),
        ("槙", "槇"), ("館", "舘"), ("峰", "峯"), ("曽", "曾"), ("桑", "桒"), ("万", "萬"),
        ("竜", "龍"), ("瀬", "瀨"), ("野", "埜"), ("黒", "黑"), ("村", "邨"), ("騨", "驒"),
        ("円", "圓"), ("瑶", "瑤"), ("穂", "穗"), ("増", "增"), ("伝", "傳"), ("戸", "戶"),
        ("呉", "吳"), ("桧", "檜"), ("晋", "晉"), ("鉄", "鐵"), ("関", "關"), ("学", "學"),
        ("弥", "彌"), ("滝", "瀧"), ("当", "當"), ("会", "會"), ("県", "縣"), ("児", "兒"),
        ("満", "滿"), ("迪", "廸"), ("吉", "𠮷"),
        ("将", "將"), ("経", "經"), ("柳", "栁"), ("亀", "龜"),
        ("続", "續"), ("郷", "鄕"), ("芦", "蘆"), ("冴", "冱"), ("剣", "劍劒"), ("巌", "巖"),
    ];

    private static readonly Dictionary<int, string> ToCommon = Build();

    private static Dictionary<int, string> Build()
    {
        var map = new Dictionary<int, string>();
        foreach (var (common, variants) in Groups)
        {
            foreach (var rune in variants.EnumerateRunes())
            {
                // NFKC runs first: a variant NFKC folds already never reaches the map.
                var folded = rune.ToString().Normalize(NormalizationForm.FormKC);
                if (folded != common) map[Rune.GetRuneAt(folded, 0).Value] = common;
            }
        }
        return map;
    }

    /// <summary>The text with every listed variant written in its common form (after NFKC).</summary>
    public static string Fold(string text)
    {
        StringBuilder? sb = null;
        var i = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (ToCommon.TryGetValue(rune.Value, out var common))
            {
                sb ??= new StringBuilder(text, 0, i, text.Length);
                sb.Append(common);
            }
            else
            {
                sb?.Append(rune.ToString());
            }
            i += rune.Utf16SequenceLength;
        }
        return sb?.ToString() ?? text;
    }
}
