using static CaseSystem.Cases.Renewal.Rule.Seeds;

namespace CaseSystem.Cases.Renewal;

/// <summary>The renewal rules, each with the seed page it is read from.</summary>
public static class Rules
{
    public static readonly Rule RenewalWindow = new("renewal-window", Takatsuki,
        "更新手続きは有効期限の3か月前の翌日から可能です。", "Renewal opens the day after the date three months before expiry.");
    public static readonly Rule IssuanceAfterExpiry = new("issuance-after-expiry", Hirosaki,
        "有効期限が切れた電子証明書は更新できません。新規発行の手続きになります。", "An expired certificate is issued anew, not renewed.");
    public static readonly Rule NoSigningUnder15 = new("no-signing-under-15", Saku,
        "15歳未満の方は、署名用電子証明書は発行できません。", "No signing certificate for a holder under 15.");
    public static readonly Rule PendingRegistryChange = new("pending-registry-change", Takatsuki,
        "住所・氏名などの変更が未済の場合は電子証明書の更新はできません。", "A pending change of address or name blocks renewal.");
    public static readonly Rule SigningRevokedByChange = new("signing-revoked-by-change", Hirosaki,
        "署名用電子証明書は住所・氏名の変更があった場合、有効期間満了前であっても失効します。", "A change of address or name revokes the signing certificate.");
    public static readonly Rule ReissuedCardFee = new("reissued-card-fee", Hirosaki,
        "再交付したマイナンバーカードに電子証明書を発行する場合の手数料は200円です。", "A certificate on a re-issued card costs 200 yen.");
    public static readonly Rule PinLockCounts = new("pin-lock-counts", Hirosaki,
        "暗証番号を連続して間違うとロックされます(署名用は5回、利用者証明用は3回)。", "PINs lock after 5 (signing) or 3 (user authentication) wrong entries in a row.");
    public static readonly Rule PinLocked = new("pin-locked", Hirosaki,
        "暗証番号がロックされています。窓口で初期化(再設定)してください。", "The PIN is locked: reset it at the counter first.");
    public static readonly Rule PinNotVerified = new("pin-not-verified", Hirosaki,
        "暗証番号の照合ができていません。", "The PIN has not been verified at this visit.");
    public static readonly Rule HolderIdWhenPinUnknown = new("holder-id-when-pin-unknown", Kawasaki,
        "暗証番号の初期化には本人確認書類(A1点またはB1点)が必要です。", "A PIN reset needs one identity document of the holder (A×1 or B×1).");
    public static readonly Rule ProxyIdentity = new("proxy-identity", Takatsuki,
        "代理人の本人確認書類が必要です。", "The proxy must show identity documents as the municipality requires.");
    public static readonly Rule ProxySealedReplyForm = new("proxy-sealed-reply-form", Takatsuki,
        "代理人による手続きには、本人が記入し封入した照会書兼回答書が必要です。ない場合は文書照会になります。",
        "A proxy needs the reply form filled in by the holder and sealed; without it the office mails an inquiry.");
    public static readonly Rule ProxyWrongPinOnForm = new("proxy-wrong-pin-on-form", Takatsuki,
        "照会書兼回答書に記入された暗証番号が誤っていた場合は電子証明書の更新手続きはできません。",
        "With a wrong PIN on the reply form the certificate cannot be renewed that day.");
    public static readonly Rule InquirySecondVisit = new("inquiry-second-visit", Kawasaki,
        "文書照会後の来庁には、回答書、委任状、本人の本人確認書類1点、代理人の本人確認書類2点(うち1点はA)が必要です。",
        "After an inquiry the proxy brings the reply, the letter of attorney, one ID of the holder and two of the proxy (one from list A).");
    public static readonly Rule InquiryReplyAwaited = new("inquiry-reply-awaited", Kawasaki,
        "文書照会の回答書が届くまで手続きはできません。", "Nothing can be renewed until the inquiry's reply is back.");
    public static readonly Rule LegalRepresentativeOfMinor = new("legal-representative-of-minor", Hirosaki,
        "15歳未満の方の手続きには、法定代理人の顔写真付き本人確認書類と、代理権の確認書類(戸籍全部事項証明書など)が必要です。",
        "For a holder under 15 the representative shows photo ID and proof of authority.");
    public static readonly Rule GuardianCertificate = new("guardian-certificate", Kawasaki,
        "成年後見人の方は、顔写真付き本人確認書類と、発行から3か月以内の成年後見登記事項証明書が必要です。",
        "A guardian shows photo ID and a certificate of guardianship issued within 3 months.");
    public static readonly Rule WardPresentForSigning = new("ward-present-for-signing", Hirosaki,
        "署名用電子証明書の発行・更新には、成年被後見人ご本人も窓口に同行する必要があります。",
        "For the signing certificate the adult ward must come too.");
    public static readonly Rule HolderPresence = new("holder-presence", Hirosaki,
        "この手続きは本人または法定代理人が行う必要があります。", "Only the holder or a legal representative may do this.");
    public static readonly Rule NoVisitInProgress = new("no-visit-in-progress", DomainDefaults,
        "窓口対応の開始が記録されていません。", "No visit has been started.");
    public static readonly Rule VisitInProgress = new("visit-in-progress", DomainDefaults,
        "前の来庁が終了していません。", "The previous visit has not ended.");
    public static readonly Rule IdentityNotAccepted = new("identity-not-accepted", DomainDefaults,
        "本人確認が済んでいません。", "Identity has not been accepted at this visit.");
    public static readonly Rule CaseClosed = new("case-closed", DomainDefaults,
        "この案件は終了しています。", "The case is closed.");
    public static readonly Rule CaseExists = new("case-exists", DomainDefaults,
        "この案件はすでに存在します。", "The case exists already.");
    public static readonly Rule NoticeDataDiffers = new("notice-data-differs", DomainDefaults,
        "この通知書番号は別の内容で取り込み済みです。訂正するには amend=true を付けて取り込み直してください。",
        "This notice number was imported with other data; import it again with amend=true to correct the case.");
    public static readonly Rule NoCase = new("no-case", DomainDefaults,
        "案件がありません。", "There is no such case.");

    public static readonly Rule ReservationRequired = new("reservation-required", Kawasaki,
        "この窓口は予約制です。予約のうえ来庁してください。", "This office works by reservation only.");
    public static readonly Rule UnknownOffice = new("unknown-office", DomainDefaults,
        "その窓口はこの自治体にありません。", "No such office in this municipality.");
    public static readonly Rule UnknownDocument = new("unknown-document", DomainDefaults,
        "本人確認書類の種類が登録されていません。", "The document kind is not known to this municipality.");
    public static readonly Rule PinTriesOutOfRange = new("pin-tries-out-of-range", Hirosaki,
        "残り試行回数が暗証番号の上限(利用者証明用3回、署名用5回)を超えています。", "Tries left exceed the PIN's limit (3 or 5).");
    public static readonly Rule NoInquiryPending = new("no-inquiry-pending", Kawasaki,
        "回答を待っている文書照会はありません。", "No document inquiry is awaiting its reply.");
    public static readonly Rule InquiryOnlyForProxy = new("inquiry-only-for-proxy", Kawasaki,
        "文書照会は代理人による申請の場合に行います。", "A document inquiry is mailed for a proxy's application.");
    public static readonly Rule AlreadyRenewed = new("already-renewed", DomainDefaults,
        "この電子証明書は、この案件ですでに更新(発行)済みです。", "That certificate was renewed (or issued) in this case already.");
    public static readonly Rule InquiryAlreadyMailed = new("inquiry-already-mailed", Kawasaki,
        "文書照会はすでに送付済みで、回答書を待っています。", "An inquiry was mailed already and its reply is awaited.");
    public static readonly Rule ReservedDateAndTime = new("reserved-date-and-time", Kawasaki,
        "予約した受取場所に、予約した日時に来所してください。", "Come to the reserved place at the reserved date and time.");
    public static readonly Rule ReservationOutsideHours = new("reservation-outside-hours", DomainDefaults,
        "予約の日時にその窓口は受付を行っていません。", "The office does not receive visitors at the reserved time.");
    public static readonly Rule ResidenceWardOffice = new("residence-ward-office", Kawasaki,
        "電子証明書の更新は、マイナンバーカードセンター又は住所地の区役所で行います。", "Renewal only at the card centre or the ward office of the holder's address.");
    public static readonly Rule InquiryAtResidenceWardOffice = new("inquiry-at-residence-ward-office", Kawasaki,
        "文書照会(照会兼回答書)の申請は、申請者の住所地の区役所区民課で行います。", "The document inquiry is applied for at the ward office of the holder's address.");
    public static readonly Rule InquiryLetterOfAttorney = new("inquiry-letter-of-attorney", Kawasaki,
        "照会兼回答書の申請には、任意代理人の本人確認書類(A1点)と委任状が必要です。", "Applying for the inquiry, the proxy shows photo ID (A×1) and a letter of attorney.");
    public static readonly Rule RepresentativePinReset = new("representative-pin-reset", Kawasaki,
        "法定代理人による暗証番号の初期化には、申請者の本人確認書類1点(マイナンバーカードのほかにもう1点)と、法定代理人の本人確認書類2点(A1点のほか、もう1点)が必要です。",
        "A legal representative resetting the PIN shows one ID of the holder besides the card and two of their own (A×1 and one more).");
    public static readonly Rule ProxyIssuanceNeedsInquiry = new("proxy-issuance-needs-inquiry", Hirosaki,
        "代理人による電子証明書の発行は即日ではできません。文書照会による再度来庁が必要です。",
        "A proxy cannot have certificates issued the same day: a document inquiry and a second visit are needed.");
    public static readonly Rule DocumentIssuedTooEarly = new("document-issued-too-early", Kawasaki,
        "運転経歴証明書は、交付年月日が平成24年4月1日以降のものに限り本人確認書類になります。",
        "A driving history certificate counts as ID only if issued on or after 1 April 2012 (000, 004).");
    public static readonly Rule DocumentExpired = new("document-expired", Kawasaki,
        "有効期限がある書類は、有効期限内のものに限ります(申請者本人のマイナンバーカードに限り、有効期間満了の日から6か月以内は有効)。",
        "Documents must be within their validity; only the applicant's own My Number Card counts up to 6 months after its expiry.");

    // Corrections (issue 12): what may be voided or amended is said in Corrections.
    public static readonly Rule CorrectionReason = new("correction-reason", DomainDefaults,
        "訂正・取消しには理由(200文字以内)が必要です。マイナンバーや暗証番号は書かないでください。",
        "A correction needs a reason of at most 200 characters, without a My Number or a PIN.");
    public static readonly Rule EntryNotVoidable = new("entry-not-voidable", DomainDefaults,
        "取り消せるのは、別の案件に記録した来庁(番号札)と窓口対応だけです。更新・暗証番号・照会などの事実は取り消せません。",
        "Only an arrival or a visit recorded on the wrong case can be voided; renewals, PIN facts, inquiries and the like cannot.");
    public static readonly Rule VoidVisitFirst = new("void-visit-first", DomainDefaults,
        "この番号札で窓口対応が記録されています。先にその来庁を取り消してください。",
        "A visit was started on this ticket: void the visit first.");
    public static readonly Rule VisitNotLast = new("visit-not-last", DomainDefaults,
        "取り消せるのは、この案件の最後の来庁だけです。",
        "Only the case's last visit can be voided.");
    public static readonly Rule VisitBound = new("visit-bound", DomainDefaults,
        "電子証明書の更新・暗証番号の初期化・文書照会・回答書の受理を記録した来庁は取り消せません。",
        "A visit in which certificates were renewed, a PIN reset, an inquiry mailed or a reply received cannot be voided.");
    public static readonly Rule OutcomeNotAmendable = new("outcome-not-amendable", DomainDefaults,
        "訂正できるのは、終了した来庁の結果だけです(電子証明書を更新した来庁の結果は訂正できません)。",
        "Only the outcome of an ended visit can be amended, and not of one that renewed the certificates.");
    public static readonly Rule DocumentsNotAmendable = new("documents-not-amendable", DomainDefaults,
        "更新・暗証番号の初期化・文書照会などの後は、その根拠となった提示書類を訂正できません。",
        "Once a renewal, a PIN reset or an inquiry went on them, the visit's documents cannot be amended.");
    public static readonly Rule NoOpenTicket = new("no-open-ticket", DomainDefaults,
        "お待ちの番号札(呼出し中を含む)がありません。", "No ticket is waiting or called.");

    public static readonly Rule NoPendingChange = new("no-pending-change", Takatsuki,
        "未済の住所・氏名の変更はありません。", "No change of address or name is pending.");
}
